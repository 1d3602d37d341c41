"""A source cannot submit in another source's name: on its own topic declarations.from.<source> intake takes the
source from the topic, refuses a body naming another source as source_mismatch, and leaves that other source's
message alone, while the source's own declarations flow as on declarations.inbound.

Plaintext: the broker's half (only a source's principal may write its topic) is tests/e2e/test_kafka_security.py.
"""

import json

import pytest

from services.intake.source_topics import ensure_source_topics
from shared import dead_letters as h
from shared.contracts.refusals import SubmissionRefused
from shared.contracts.status import StatusCode
from tests.support.declarations import example

pytestmark = pytest.mark.e2e


def _headers(record) -> dict[str, str]:
    return {k: v.decode() for k, v in record.headers}


async def test_source_a_publishing_as_b_is_refused_and_b_untouched_while_as_own_declarations_flow(system, tmp_path):
    await ensure_source_topics(system.settings)  # before intake starts: its pattern then matches them at once
    system.start("intake")
    topics = system.topics
    impersonation = example("btw_aangifte", message_id="afas-claimed-1")  # names afas-fin
    own = example("btw_aangifte", message_id="exact-own-1", source="exact")

    await system.publish(topics.inbound_from("exact"), [("afas-claimed-1", json.dumps(impersonation).encode())])
    (tmp_path / "own.json").write_text(json.dumps(own))
    submitted = await system.cli("submit", str(tmp_path / "own.json"), "--source-topic", "--no-wait")
    assert submitted.returncode == 0 and topics.inbound_from("exact") in submitted.stdout, submitted.stderr
    await system.wait_for(
        lambda: StatusCode.PROCESSING in [e.status_code for e in system.events if e.message_id == "exact-own-1"],
        what="exact's own declaration at 20",
    )
    [dead] = await system.read_topic(topics.inbound_dlq, expect=1)
    assert _headers(dead)[h.REASON_CODE] == "source_mismatch"
    assert _headers(dead)[h.ORIGINAL_TOPIC] == topics.inbound_from("exact")
    assert dead.value == json.dumps(impersonation).encode()
    [refused] = [
        SubmissionRefused.model_validate_json(r.value) for r in await system.read_topic(topics.refused, expect=1)
    ]
    assert (refused.message_id, refused.source, refused.reason_code) == ("afas-claimed-1", "exact", "source_mismatch")
    assert refused.message_status_unchanged and "'afas-fin'" in refused.reason

    # The real afas-fin then submits under that id, on its own topic: taken in as if nothing had happened.
    await system.publish(topics.inbound_from("afas-fin"), [("afas-claimed-1", json.dumps(impersonation).encode())])
    await system.wait_for(
        lambda: StatusCode.PROCESSING in [e.status_code for e in system.events if e.message_id == "afas-claimed-1"],
        what="afas-fin's own declaration at 20",
    )
    claimed = [(int(e.status_code), e.source) for e in system.events if e.message_id == "afas-claimed-1"]
    assert claimed == [(10, "afas-fin"), (20, "afas-fin")]
    own_statuses = [(int(e.status_code), e.source) for e in system.events if e.message_id == "exact-own-1"]
    assert own_statuses == [(10, "exact"), (20, "exact")]
    stored = await system.db.fetch("SELECT source, message_id FROM intake.declarations ORDER BY message_id")
    assert [tuple(r) for r in stored] == [("afas-fin", "afas-claimed-1"), ("exact", "exact-own-1")]
