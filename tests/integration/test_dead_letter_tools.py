"""accordeer dlq's library: list, show and replay dead letters on a real broker (no services running)."""

import base64
import itertools
import json
import os

import pytest
from aiokafka.structs import ConsumerRecord

from shared.dead_letters import dead_letter
from shared.kafka.admin import ensure_topics
from shared.kafka.producer import create_producer
from shared.operations.dead_letters import (
    REPLAYED_FROM,
    DeadLetter,
    choose,
    dead_letter_topics,
    read_dead_letters,
    render_list,
    render_show,
    replay,
)
from shared.topics import Topics
from tests.support.declarations import example

_numbers = itertools.count(1)
CONTENT = base64.b64encode(b"<xbrl>" + b"x" * 3000 + b"</xbrl>").decode()


@pytest.fixture
async def kafka(infrastructure):
    topics = Topics(f"dlq{os.getpid()}_{next(_numbers)}.")
    await ensure_topics(infrastructure.bootstrap_servers, topics.prefix)
    return infrastructure.bootstrap_servers, topics


async def _dead_letter(
    bootstrap: str, dlq: str, *, value: bytes, key: str | None, reason_code: str, original: tuple[str, int, int]
) -> None:
    """Publish a dead letter exactly as a service's outbox relay would."""
    topic, partition, offset = original
    record = ConsumerRecord(topic, partition, offset, 1_767_225_600_000, 0, None, value, None, 0, len(value), ())
    letter = dead_letter(dlq, record, reason_code=reason_code, reason=f"refused: {reason_code}", key=key)
    producer = create_producer(bootstrap, client_id="test")
    await producer.start()
    try:
        await producer.send_and_wait(
            letter.topic,
            letter.value,
            key=letter.key.encode() if letter.key else None,
            headers=[(k, v.encode()) for k, v in letter.headers],
        )
    finally:
        await producer.stop()


async def _read(bootstrap: str, topic: str) -> list[DeadLetter]:
    """Any topic read like a dead-letter topic: every record it holds now."""
    return await read_dead_letters(bootstrap, topic)


@pytest.fixture
async def three_letters(kafka):
    bootstrap, topics = kafka
    declaration = json.dumps(
        example(
            "btw_aangifte",
            message_id="m-1",
            source="nieuw",
            document={"file_name": "a.xbrl", "mime_type": "application/xml", "content_base64": CONTENT},
        )
    ).encode()
    await _dead_letter(
        bootstrap,
        topics.inbound_dlq,
        value=declaration,
        key="m-1",
        reason_code="unknown_source",
        original=(topics.inbound, 3, 17),
    )
    await _dead_letter(
        bootstrap,
        topics.inbound_dlq,
        value=b"\x00not json " * 200,
        key=None,
        reason_code="not_json",
        original=(topics.inbound, 1, 4),
    )
    await _dead_letter(
        bootstrap,
        topics.inbound_dlq,
        value=b'{"message_id": "m-2"}',
        key="m-2",
        reason_code="unknown_source",
        original=(topics.inbound, 0, 9),
    )
    return declaration


async def test_list_shows_reason_and_original_coordinates_of_each(kafka, three_letters):
    bootstrap, topics = kafka
    letters = await read_dead_letters(bootstrap, topics.inbound_dlq)
    assert [(d.ref, d.key, d.reason_code, d.original, len(d.value)) for d in letters] == [
        ("0:0", b"m-1", "unknown_source", f"{topics.inbound}/3/17", len(three_letters)),
        ("0:1", None, "not_json", f"{topics.inbound}/1/4", 2000),
        ("0:2", b"m-2", "unknown_source", f"{topics.inbound}/0/9", 21),
    ]
    table = render_list(topics.inbound_dlq, letters).splitlines()
    assert table[0] == f"{topics.inbound_dlq}: 3 dead letter(s)"
    assert table[2].split()[:4] == ["0:0", "m-1", "unknown_source", f"{topics.inbound}/3/17"]
    assert table[3].split()[:4] == ["0:1", "-", "not_json", f"{topics.inbound}/1/4"]
    assert table[2].endswith("refused: unknown_source")


async def test_show_prints_headers_and_json_but_never_the_base64_content(kafka, three_letters):
    bootstrap, topics = kafka
    declaration, broken, _ = await read_dead_letters(bootstrap, topics.inbound_dlq)
    shown = render_show(declaration)
    assert "  accordeer-reason-code: unknown_source" in shown
    assert f"  accordeer-original-topic: {topics.inbound}" in shown
    assert "(first published 2026-01-01 00:00:00)" in shown
    assert '"source": "nieuw"' in shown
    assert f'"content_base64": "<base64, {len(CONTENT)} characters, not shown>"' in shown
    assert CONTENT[:40] not in shown
    text = render_show(broken)
    assert "(not JSON) " in text
    assert text.endswith("… (2000 characters)")
    assert len(text.split("\n\n", 1)[1]) < 600


async def test_choose_by_offset_reason_or_all(kafka, three_letters):
    bootstrap, topics = kafka
    letters = await read_dead_letters(bootstrap, topics.inbound_dlq)
    assert [d.offset for d in choose(letters, refs=["2", "0:0", "2"])] == [2, 0]
    assert [d.offset for d in choose(letters, reason="unknown_source")] == [0, 2]
    assert [d.offset for d in choose(letters, every=True)] == [0, 1, 2]
    with pytest.raises(LookupError, match="0:7"):
        choose(letters, refs=["7"])
    with pytest.raises(ValueError):
        choose(letters, refs=["1"], every=True)
    with pytest.raises(ValueError):
        choose(letters)


async def test_replay_sends_the_same_key_and_value_to_the_original_topic_and_may_be_repeated(kafka, three_letters):
    bootstrap, topics = kafka
    [letter] = choose(await read_dead_letters(bootstrap, topics.inbound_dlq), refs=["0"])

    first = await replay(bootstrap, [letter], topics=topics)
    second = await replay(bootstrap, [letter], topics=topics)

    replayed = await _read(bootstrap, topics.inbound)
    assert [f"{r.topic}/{r.partition}/{r.offset}" for r in replayed] == first + second
    assert [(r.key, r.value) for r in replayed] == [(b"m-1", three_letters)] * 2
    assert [r.headers for r in replayed] == [{REPLAYED_FROM: f"{topics.inbound_dlq}/0/0"}] * 2
    # The dead-letter topic is left as it was: replay only reads it.
    assert len(await read_dead_letters(bootstrap, topics.inbound_dlq)) == 3


async def test_replay_refuses_a_record_whose_original_topic_is_not_its_dead_letter_topics(kafka, three_letters):
    bootstrap, topics = kafka
    await _dead_letter(
        bootstrap,
        topics.inbound_dlq,
        value=b"{}",
        key="x",
        reason_code="unknown_source",
        original=(topics.approved, 0, 1),
    )
    letters = await read_dead_letters(bootstrap, topics.inbound_dlq)
    with pytest.raises(ValueError, match=r"only '\S+declarations.inbound' \(or a source's own topic\) can be replayed"):
        await replay(bootstrap, letters, topics=topics)
    assert await _read(bootstrap, topics.inbound) == []  # checked before anything was sent
    assert await _read(bootstrap, topics.approved) == []


def test_each_dead_letter_topic_replays_to_its_own_source_topic():
    topics = Topics("p.")
    consumed = (
        topics.inbound,
        topics.workflow_actions,
        topics.dossier_items,
        topics.approved,
        topics.tasks,
        topics.directory,
        topics.status,  # the status service's
        topics.refused,
        topics.setup,  # set-up commands, each writer's too
        topics.setup_outcomes,
    )
    assert dead_letter_topics(topics) == {f"{topic}.dlq": topic for topic in consumed}
