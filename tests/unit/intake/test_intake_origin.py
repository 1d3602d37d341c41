"""Source authenticity at intake: on a per-source topic the topic names the source, and a body naming another
source is refused as source_mismatch without touching that source's messages.status stream."""

import json
import re
from datetime import UTC, datetime

from services.intake.domain import Declaration, ReasonCode, Refusal, check_origin, parse_declaration
from shared.topics import Topics
from tests.support.declarations import example
from tests.support.records import consumer_record
from tests.unit.intake.fakes import InMemoryIntakeRepository, intake_on

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
TOPICS = Topics("acme.")


def _parse(document: dict | bytes) -> Declaration | Refusal:
    return parse_declaration(
        document if isinstance(document, bytes) else json.dumps(document).encode(), max_bytes=1 << 20
    )


def test_the_topic_of_a_source_names_that_source_and_no_other_topic_names_one():
    assert TOPICS.inbound_from("afas-fin") == "acme.declarations.from.afas-fin"
    assert TOPICS.source_of("acme.declarations.from.afas-fin") == "afas-fin"
    for topic in (
        "acme.declarations.inbound",
        "acme.declarations.from.",
        "declarations.from.exact",
        "acme.workflow.actions",
    ):
        assert TOPICS.source_of(topic) is None, topic


def test_a_record_that_fails_on_a_source_topic_is_dead_lettered_with_the_inbound_ones():
    # declarations.from.<source>.dlq exists nowhere and intake may not write it; the headers keep the topic.
    assert TOPICS.dead_letters_of("acme.declarations.from.exact") == "acme.declarations.inbound.dlq"
    assert TOPICS.dead_letters_of("acme.dossier.items") == "acme.dossier.items.dlq"


def test_intake_pattern_matches_the_shared_and_every_per_source_topic_but_no_dead_letters_or_other_prefix():
    from shared import topology

    intake = topology.service("intake").pattern(TOPICS)
    assert intake is not None and topology.service("dispatch").pattern(TOPICS) is None
    pattern = re.compile(intake)
    assert all(
        pattern.match(t)
        for t in ("acme.declarations.inbound", "acme.declarations.from.exact", "acme.declarations.from.afas-fin")
    )
    assert not any(
        pattern.match(t)
        for t in (
            "acme.declarations.inbound.dlq",
            "acme.declarations.refused",
            "declarations.from.exact",
            "acmeXdeclarations.inbound",
            "other.acme.declarations.inbound",
            "acme.declarations.from.",
        )
    )


def test_a_body_naming_its_own_source_on_its_topic_is_taken_as_it_is():
    parsed = _parse(example("btw_aangifte", message_id="o1"))
    assert check_origin(parsed, topic="declarations.from.afas-fin", topic_source="afas-fin") is parsed


def test_a_body_naming_another_source_on_a_per_source_topic_is_an_impersonation():
    refusal = check_origin(
        _parse(example("btw_aangifte", message_id="o2")), topic="declarations.from.exact", topic_source="exact"
    )
    assert isinstance(refusal, Refusal) and refusal.reason_code is ReasonCode.SOURCE_MISMATCH
    assert (refusal.message_id, refusal.source) == ("o2", "exact")
    assert "'afas-fin'" in refusal.message and "declarations.from.exact" in refusal.message


def test_an_unreadable_body_naming_another_source_is_an_impersonation_too():
    refusal = check_origin(
        _parse(b'{"message_id": "o3", "source": "nmbrs", oops'), topic="declarations.from.exact", topic_source="exact"
    )
    assert isinstance(refusal, Refusal) and refusal.reason_code is ReasonCode.SOURCE_MISMATCH


def test_a_refusal_naming_no_source_on_a_per_source_topic_is_that_sources():
    refusal = check_origin(_parse(b'{"message_id": "o4"}'), topic="declarations.from.exact", topic_source="exact")
    assert isinstance(refusal, Refusal) and refusal.reason_code is not ReasonCode.SOURCE_MISMATCH
    assert refusal.source == "exact"


def test_on_the_shared_topic_the_body_names_the_source():
    parsed = _parse(example("btw_aangifte", message_id="o5"))
    assert check_origin(parsed, topic="declarations.inbound", topic_source=None) is parsed


def _on(topic: str, document: dict) -> object:
    return consumer_record(topic, document["message_id"], json.dumps(document).encode())


async def test_an_impersonation_is_dead_lettered_and_reported_to_its_sender_but_never_on_messages_status():
    record = _on(TOPICS.inbound_from("exact"), example("btw_aangifte", message_id="o6"))  # names afas-fin
    plan = await intake_on(TOPICS, NOW).plan(InMemoryIntakeRepository(), [record])
    assert plan.refusals == ["source_mismatch"] and plan.items == []
    assert [e.topic for e in plan.events] == [TOPICS.inbound_dlq, TOPICS.refused, TOPICS.refused_of("exact")]
    dead, refused, to_sender = plan.events
    assert to_sender.value == refused.value and to_sender.key == refused.key
    assert dict(dead.headers)["accordeer-reason-code"] == "source_mismatch"
    assert dict(dead.headers)["accordeer-original-topic"] == "acme.declarations.from.exact"
    event = json.loads(refused.value)
    assert (event["source"], event["message_id"], event["reason_code"]) == ("exact", "o6", "source_mismatch")
    assert event["message_status_unchanged"] is True


async def test_a_sources_own_declarations_on_its_topic_flow_as_on_the_shared_topic():
    own = example("btw_aangifte", message_id="o7")  # afas-fin
    plan = await intake_on(TOPICS, NOW).plan(InMemoryIntakeRepository(), [_on(TOPICS.inbound_from("afas-fin"), own)])
    assert plan.refusals == [] and len(plan.items) == 1
    statuses = [json.loads(e.value) for e in plan.events if e.topic == TOPICS.status]
    assert [(s["status_code"], s["source"]) for s in statuses] == [(10, "afas-fin"), (20, "afas-fin")]


def test_every_source_of_the_shipped_authorisations_gets_its_own_topics_like_the_shared_ones():
    from accordeer.paths import REPO_ROOT
    from services.intake.source_topics import source_topics
    from shared.kafka.admin import topic_spec

    wanted = source_topics(TOPICS, REPO_ROOT / "deploy" / "config" / "authorisations.yaml")
    sources = ("afas-fin", "caseware", "exact", "import", "nmbrs")
    shared = topic_spec(TOPICS.prefix)
    assert wanted == {
        **{f"acme.declarations.from.{s}": shared[TOPICS.inbound] for s in sources},
        **{f"acme.messages.status.{s}": shared[TOPICS.status] for s in sources},
        **{f"acme.declarations.refused.{s}": shared[TOPICS.refused] for s in sources},
    }
