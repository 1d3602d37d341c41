"""The status API's read model: what a status event and a refusal become, numbered per source without gaps, each
event once however often its record comes, and a record that breaks its contract dead-lettered."""

import pytest

from services.status_api.entries import Entry, entry_of, first_of_each, numbered
from services.status_api.use_cases import StatusReadModel
from shared import dead_letters
from shared.contracts.status import StatusCode
from tests.support.records import consumer_record

from .fakes import T0, TOPICS, InMemoryStatusApi, record, refusal, status

CONSUMER = "accordeer-status_api"


@pytest.fixture
def tables() -> InMemoryStatusApi:
    return InMemoryStatusApi()


@pytest.fixture
def read_model(tables) -> StatusReadModel:
    return StatusReadModel(tables.units_of_work(), TOPICS, CONSUMER)


def test_a_status_event_becomes_a_status_line_of_its_source():
    event = status(StatusCode.ACCEPTED_BY_AUTHORITY, detail="500 verwerking gelukt", authority_status_code="500")
    assert entry_of(event) == Entry(
        event_id=event.event_id,
        source="afas-fin",
        kind="status",
        message_id="afas-2025-000123",
        dossier_item_id="item-1",
        status_code=80,
        status="Accepted by authority",
        detail="500 verwerking gelukt",
        reason_code=None,
        authority_status_code="500",
        occurred_at=T0,
    )


def test_a_refusal_under_a_registered_message_becomes_a_refused_line_with_status_0():
    event = refusal()
    entry = entry_of(event)
    assert entry is not None and entry.kind == "refused" and entry.source == "afas-fin"
    assert (entry.message_id, entry.status_code, entry.status) == ("afas-2025-000123", 0, "Refused")
    assert (entry.reason_code, entry.detail) == ("message_id_reused", event.reason)
    assert entry.dossier_item_id is None and entry.authority_status_code is None and entry.event_id == event.event_id


def test_a_refusal_of_a_message_never_registered_is_left_to_its_status_0_on_messages_status():
    assert entry_of(refusal(message_status_unchanged=False)) is None
    zero = status(StatusCode.REFUSED, detail="destinations[0]: ...", reason_code="destination_reference_not_allowed")
    assert entry_of(zero) is not None and entry_of(zero).reason_code == "destination_reference_not_allowed"


def test_a_refusal_whose_message_id_could_not_be_read_is_still_its_sources():
    entry = entry_of(refusal(message_id=None, message_status_unchanged=False, reason_code="not_json"))
    assert entry is not None and entry.message_id is None and entry.source == "afas-fin"


def test_events_without_a_source_are_ignored():
    assert entry_of(status(StatusCode.REGISTERED, source="")) is None
    assert entry_of(refusal(source=None)) is None


def test_numbers_go_on_per_source_from_the_last_and_a_repeat_in_a_batch_is_dropped():
    a, b, c = (entry_of(status(code, source=s)) for code, s in [(10, "nmbrs"), (20, "afas-fin"), (30, "nmbrs")])
    assert a and b and c
    entries = first_of_each([a, b, a, c])
    assert [(n.seq, n.entry) for n in numbered(entries, {"nmbrs": 7})] == [(8, a), (1, b), (9, c)]


async def test_each_source_gets_its_own_stream_numbered_from_one(read_model, tables):
    nmbrs = [status(code, "nmbrs-1", "nmbrs", minutes=n) for n, code in enumerate([10, 20, 30])]
    afas = [status(code, "afas-1", "afas-fin", minutes=n) for n, code in enumerate([10, 20])]
    await read_model.apply([record(e) for e in [nmbrs[0], afas[0], nmbrs[1]]])
    await read_model.apply([record(e) for e in [afas[1], nmbrs[2], refusal(message_id="afas-1")]])
    assert [seq for seq, _ in tables.stream("nmbrs")] == [1, 2, 3]
    assert [seq for seq, _ in tables.stream("afas-fin")] == [1, 2, 3]
    assert tables.counters == {"nmbrs": 3, "afas-fin": 3}


async def test_a_batch_applied_twice_or_an_event_republished_adds_each_event_once(read_model, tables):
    events = [status(StatusCode.REGISTERED), status(StatusCode.PROCESSING, minutes=1), refusal()]
    batch = [record(e) for e in events]
    await read_model.apply(batch)
    await read_model.apply(batch)  # redelivered after a crash before the Kafka commit
    await read_model.apply([record(events[1]), record(events[1])])  # republished by a relay, twice in one batch
    await read_model.apply([record(events[2], partition=3)])  # a refusal without a key may land elsewhere
    assert tables.stream("afas-fin") == [(1, events[0].event_id), (2, events[1].event_id), (3, events[2].event_id)]


async def test_a_record_breaking_its_contract_is_dead_lettered_and_the_rest_applied(read_model, tables):
    good = status(StatusCode.REGISTERED)
    bad_status = consumer_record(TOPICS.status, "m-9", b'{"message_id": "m-9"}')
    bad_refusal = consumer_record(TOPICS.refused, "m-9", b"not json")
    await read_model.apply([bad_status, record(good), bad_refusal])
    assert tables.stream("afas-fin") == [(1, good.event_id)]
    assert [(r.topic, r.value) for r in tables.outbox] == [
        ("messages.status.dlq", bad_status.value),
        ("declarations.refused.dlq", b"not json"),
    ]
    headers = dict(tables.outbox[0].headers)
    assert headers[dead_letters.REASON_CODE] == dead_letters.UNREADABLE and headers[dead_letters.REFUSED_BY] == CONSUMER


async def test_a_batch_that_fails_gives_its_numbers_back(read_model, tables):
    await read_model.apply([record(status(StatusCode.REGISTERED))])

    async def failing(lines) -> None:
        raise ConnectionError("the database went away")

    tables.add = failing
    with pytest.raises(ConnectionError):
        await read_model.apply([record(status(StatusCode.PROCESSING, minutes=1))])
    del tables.add
    later = status(StatusCode.IN_WORKFLOW, minutes=2)
    await read_model.apply([record(later)])
    assert [seq for seq, _ in tables.stream("afas-fin")] == [1, 2] and tables.stream("afas-fin")[1][1] == later.event_id


async def test_two_sources_messages_of_the_same_id_and_moment_are_both_kept(read_model, tables):
    # StatusEvent.of derives the event id without the source: these two get the same id.
    mine, theirs = (status(StatusCode.REGISTERED, "2025-001", source) for source in ("nmbrs", "exact"))
    assert mine.event_id == theirs.event_id
    await read_model.apply([record(mine), record(theirs)])
    assert tables.stream("nmbrs") == [(1, mine.event_id)] and tables.stream("exact") == [(1, theirs.event_id)]
