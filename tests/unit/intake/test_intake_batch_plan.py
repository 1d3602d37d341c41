"""Intake's batches on the in-memory unit of work: what one batch of records amounts to, and taking it in once."""

import json
from datetime import UTC, datetime, timedelta

from services.intake.use_cases import Intake
from shared.topics import Topics
from tests.support.declarations import example
from tests.support.records import consumer_record
from tests.unit.intake.fakes import InMemoryIntakeRepository, IntakeTables, intake_on

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
TOPICS = Topics()


def _intake(tables: IntakeTables | None = None) -> Intake:
    return intake_on(TOPICS, NOW, tables)


def _stored_before(declarations: dict) -> InMemoryIntakeRepository:
    return InMemoryIntakeRepository(IntakeTables(declarations=declarations))


def _record(document: dict | bytes):
    value = document if isinstance(document, bytes) else json.dumps(document).encode()
    return consumer_record(TOPICS.inbound, "k", value)


async def test_accepted_declaration_yields_registered_processing_and_the_item_in_that_order():
    declaration = example("two_destinations", message_id="m1")
    plan = await _intake().plan(InMemoryIntakeRepository(), [_record(declaration)])
    assert len(plan.items) == 2 and plan.refusals == []
    own = TOPICS.status_of(declaration["source"])  # every status also on the source's own topic, right after
    assert [(e.topic, json.loads(e.value).get("status_code")) for e in plan.events] == [
        (TOPICS.status, 10),
        (own, 10),
        (TOPICS.status, 20),
        (own, 20),
        (TOPICS.dossier_items, None),
        (TOPICS.status, 20),
        (own, 20),
        (TOPICS.dossier_items, None),
    ]
    assert all(e.key == "m1" and e.lane == plan.events[0].lane for e in plan.events if TOPICS.is_status(e.topic))


async def test_a_record_applied_again_later_tells_the_same_events():
    """A database restored from a backup applies the records after it again: their statuses keep their ids, so a
    consumer drops them, although they are told at another time."""
    record = _record(example("two_destinations", message_id="m-again"))
    first = await _intake().plan(InMemoryIntakeRepository(), [record])
    again = await intake_on(TOPICS, NOW + timedelta(hours=5)).plan(InMemoryIntakeRepository(), [record])
    statuses = [[json.loads(e.value) for e in plan.events if e.topic == TOPICS.status] for plan in (first, again)]
    assert [e["event_id"] for e in statuses[0]] == [e["event_id"] for e in statuses[1]]
    assert {e["occurred_at"] for e in statuses[0]} != {e["occurred_at"] for e in statuses[1]}
    elsewhere = await _intake().plan(
        InMemoryIntakeRepository(), [_record(example("two_destinations", message_id="m-again"))]
    )
    assert not {e["event_id"] for e in statuses[0]} & {
        json.loads(e.value)["event_id"] for e in elsewhere.events if e.topic == TOPICS.status
    }


async def test_the_same_message_twice_in_one_batch_is_stored_once():
    document = example("btw_aangifte", message_id="m2")
    plan = await _intake().plan(InMemoryIntakeRepository(), [_record(document), _record(document)])
    assert len(plan.declarations) == 1 and plan.duplicates == 1


async def test_other_content_under_a_used_message_id_is_refused_within_the_batch_too():
    first = example("btw_aangifte", message_id="m3")
    plan = await _intake().plan(InMemoryIntakeRepository(), [_record(first), _record({**first, "subject": "Anders"})])
    assert len(plan.declarations) == 1 and plan.refusals == ["message_id_reused"]


async def test_a_message_stored_before_with_the_same_content_is_a_no_op():
    from services.intake.domain import fingerprint, parse_declaration

    document = example("btw_aangifte", message_id="m4")
    stored = {("afas-fin", "m4"): fingerprint(parse_declaration(json.dumps(document).encode(), max_bytes=1 << 20))}
    plan = await _intake().plan(_stored_before(stored), [_record(document)])
    assert plan.events == [] and plan.duplicates == 1


async def test_a_refusal_is_dead_lettered_with_its_coordinates_and_reported_when_the_id_is_readable():
    plan = await _intake().plan(
        InMemoryIntakeRepository(),
        [_record(example("btw_aangifte", message_id="m5", source="niemand")), _record(b"not json")],
    )
    assert plan.refusals == ["unknown_source", "not_json"] and plan.items == []
    dead, refused, status, unreadable, unreadable_refused = plan.events
    assert dead.topic == TOPICS.inbound_dlq and dead.key == "m5"
    assert dict(dead.headers)["accordeer-reason-code"] == "unknown_source"
    assert json.loads(status.value)["status_code"] == 0 and json.loads(status.value)["reason_code"] == "unknown_source"
    assert refused.topic == TOPICS.refused and refused.key == "m5"
    assert json.loads(refused.value)["message_status_unchanged"] is False
    assert unreadable.topic == TOPICS.inbound_dlq and unreadable.value == b"not json"
    assert unreadable_refused.topic == TOPICS.refused and unreadable_refused.key is None
    assert json.loads(unreadable_refused.value)["message_id"] is None


def _stored(document: dict) -> dict:
    from services.intake.domain import fingerprint, parse_declaration
    from shared.contracts.inbound import InboundDeclaration

    declaration = parse_declaration(json.dumps(document).encode(), max_bytes=1 << 20)
    assert isinstance(declaration, InboundDeclaration), declaration  # the tests store readable declarations
    print_ = fingerprint(declaration)
    return {(document["source"], document["message_id"]): print_}


async def test_other_content_under_a_registered_id_changes_nothing_on_messages_status():
    first = example("btw_aangifte", message_id="m6")
    record = _record({**first, "subject": "Anders"})
    plan = await _intake().plan(_stored_before(_stored(first)), [record])
    # the refusal also goes to the source the body names (a registered one): it reads it on its own topic
    assert [e.topic for e in plan.events] == [TOPICS.inbound_dlq, TOPICS.refused, TOPICS.refused_of("afas-fin")]
    refused = json.loads(plan.events[1].value)
    assert refused["message_status_unchanged"] is True and refused["reason_code"] == "message_id_reused"
    assert (refused["original_topic"], refused["original_offset"]) == (record.topic, record.offset)
    again = await _intake().plan(_stored_before(_stored(first)), [record])
    assert json.loads(again.events[1].value)["event_id"] == refused["event_id"]  # a redelivery: the same event


async def test_an_invalid_submission_under_a_registered_id_changes_nothing_on_messages_status_either():
    first = example("btw_aangifte", message_id="m7")
    plan = await _intake().plan(_stored_before(_stored(first)), [_record({**first, "colour": "blue"})])
    assert plan.refusals == ["unknown_field"]
    assert [e.topic for e in plan.events] == [TOPICS.inbound_dlq, TOPICS.refused, TOPICS.refused_of("afas-fin")]
    assert json.loads(plan.events[1].value)["message_status_unchanged"] is True


async def test_other_content_under_an_id_registered_earlier_in_the_same_batch_changes_nothing_either():
    first = example("btw_aangifte", message_id="m8")
    plan = await _intake().plan(InMemoryIntakeRepository(), [_record(first), _record({**first, "subject": "Anders"})])
    assert [json.loads(e.value).get("status_code") for e in plan.events if e.topic == TOPICS.status] == [10, 20]
    assert json.loads(plan.events[-1].value)["message_status_unchanged"] is True


async def test_a_batch_is_stored_with_its_events_once_even_when_it_is_delivered_again():
    tables = IntakeTables()
    records = [_record(example("two_destinations", message_id="t1"))]
    await _intake(tables).take_in(records)
    await _intake(tables).take_in(records)

    assert [key[1] for key in tables.declarations] == ["t1"]
    assert len(tables.items) == 2
    own = TOPICS.status_of("afas-fin")
    assert [(e.topic, json.loads(e.value).get("status_code")) for e in tables.outbox] == [
        (TOPICS.status, 10),
        (own, 10),
        (TOPICS.status, 20),
        (own, 20),
        (TOPICS.dossier_items, None),
        (TOPICS.status, 20),
        (own, 20),
        (TOPICS.dossier_items, None),
    ]
