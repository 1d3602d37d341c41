"""Operators' tools for the dead-letter topics (`accordeer dlq` and the portal's operator page): list them, show one,
replay chosen ones.

A dead letter holds the original bytes, keyed by the message id when known,
with the reason and the original coordinates in headers (shared/dead_letters).
Replay sends it back to its original topic with the same key and value plus a
header naming the dead letter. That doubles nothing downstream: intake takes
the replayed record as new input, and a message id already stored with the
same content is a no-op, so replaying a record twice is harmless; the internal
topics are keyed by dossier item, action or party id, each applied once.
"""

import asyncio
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from shared import dead_letters as h
from shared import topology
from shared.kafka.admin import partitions_of
from shared.kafka.idle import FETCHER_WAKE_MS
from shared.kafka.producer import MAX_RECORD_BYTES, create_producer
from shared.kafka.security import client_options
from shared.topics import Topics

REPLAYED_FROM = "accordeer-replayed-from"
LONG_TEXT = 120  # longer strings are cut when shown; a base64 field is never shown, only its length


@dataclass(frozen=True)
class DeadLetter:
    topic: str
    partition: int
    offset: int
    timestamp: int  # when it was dead-lettered, ms since the epoch
    key: bytes | None
    value: bytes = field(repr=False)
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.partition}:{self.offset}"

    @property
    def key_text(self) -> str:
        return "-" if self.key is None else self.key.decode(errors="replace")

    @property
    def reason_code(self) -> str:
        return self.headers.get(h.REASON_CODE, "")

    @property
    def dead_lettered_at(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp / 1000, UTC)

    @property
    def original(self) -> str:  # topic/partition/offset it was first read from
        return "/".join(self.headers.get(k, "?") for k in (h.ORIGINAL_TOPIC, h.ORIGINAL_PARTITION, h.ORIGINAL_OFFSET))


def dead_letter_topics(topics: Topics) -> dict[str, str]:
    """Each dead-letter topic → the only topic its records may be replayed to (``accordeer dlq`` reads these)."""
    return {topics.dead_letters_of(topics.prefix + name): topics.prefix + name for name in topology.CONSUMED}


def letter_of(record: ConsumerRecord) -> DeadLetter:
    return DeadLetter(
        record.topic,
        record.partition,
        record.offset,
        record.timestamp,
        record.key,
        record.value or b"",
        {k: v.decode(errors="replace") for k, v in record.headers},
    )


def reader(bootstrap_servers: str, **options: object) -> AIOKafkaConsumer:
    """A consumer that joins no group and commits nothing: reading dead letters changes nothing."""
    return AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        client_id="accordeer-dlq",
        max_partition_fetch_bytes=MAX_RECORD_BYTES,
        consumer_timeout_ms=FETCHER_WAKE_MS,
        **client_options(),
        **options,
    )


async def read_dead_letters(bootstrap_servers: str, topic: str, *, timeout: float = 60) -> list[DeadLetter]:
    """Every record the topic holds now, oldest first."""
    partitions = await partitions_of(bootstrap_servers, topic)
    consumer = reader(bootstrap_servers)
    try:
        await consumer.start()
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        # An explicit seek: seek_to_beginning right after end_offsets was seen to land at the end instead.
        for tp, start in (await consumer.beginning_offsets(partitions)).items():
            consumer.seek(tp, start)
        letters, deadline = [], asyncio.get_running_loop().time() + timeout
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"could not read {topic} to its end within {timeout}s")
            for tp, records in (await consumer.getmany(timeout_ms=500)).items():
                letters += [letter_of(r) for r in records if r.offset < ends[tp]]
        return sorted(letters, key=lambda d: (d.partition, d.offset))
    finally:
        await consumer.stop()


async def read_dead_letter(bootstrap_servers: str, topic: str, ref: str, *, timeout: float = 10) -> DeadLetter:
    """The one record at ``ref`` ("partition:offset", or "offset" of partition 0), read without the rest of the
    topic. LookupError when the topic holds no record there (never did, or retention has removed it)."""
    partition, offset = _position(ref)
    tp = TopicPartition(topic, partition)
    if tp not in await partitions_of(bootstrap_servers, topic):
        raise LookupError(f"no dead letter at {ref}: {topic} has no partition {partition}")
    consumer = reader(bootstrap_servers)
    try:
        await consumer.start()
        consumer.assign([tp])
        start, end = (await consumer.beginning_offsets([tp]))[tp], (await consumer.end_offsets([tp]))[tp]
        if not start <= offset < end:
            raise LookupError(f"no dead letter at {ref}: {topic} holds offsets {start} to {end - 1} there")
        consumer.seek(tp, offset)
        deadline = asyncio.get_running_loop().time() + timeout
        while await consumer.position(tp) <= offset:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"could not read {topic} {ref} within {timeout}s")
            for record in (await consumer.getmany(tp, timeout_ms=500, max_records=1)).get(tp, []):
                if record.offset == offset:
                    return letter_of(record)
        # the offset holds no record of its own (a transaction's marker)
        raise LookupError(f"no dead letter at {ref}")
    finally:
        await consumer.stop()


def _position(ref: str) -> tuple[int, int]:
    partition, _, offset = ref.rpartition(":")
    try:
        return int(partition or 0), int(offset)
    except ValueError:
        raise LookupError(f"{ref!r} is no dead letter's place: give partition:offset, such as 0:12") from None


def choose(
    letters: Sequence[DeadLetter], *, refs: Iterable[str] = (), reason: str | None = None, every: bool = False
) -> list[DeadLetter]:
    """By ``refs`` ("offset", or "partition:offset"), by ``reason`` code, or ``every`` one; exactly one way."""
    refs = [r if ":" in r else f"0:{r}" for r in refs]
    if sum((bool(refs), reason is not None, every)) != 1:
        raise ValueError("choose the records by offsets, by --reason, or with --all (one of them)")
    if every or reason is not None:
        return [d for d in letters if every or d.reason_code == reason]
    by_ref = {d.ref: d for d in letters}
    if missing := [r for r in refs if r not in by_ref]:
        raise LookupError(f"no dead letter at {', '.join(missing)}")
    return [by_ref[r] for r in dict.fromkeys(refs)]


async def replay(
    bootstrap_servers: str, letters: Sequence[DeadLetter], *, topics: Topics, via_shared_inbound: bool = False
) -> list[str]:
    """Send each back to its original topic; returns "topic/partition/offset" of each new record, in order.
    Checks every record before sending any: the target must be the one its dead-letter topic belongs to.

    ``via_shared_inbound``: a letter from a source's own topic goes to declarations.inbound instead, where the
    body names the source (on a secure broker only the source may write its topic; the operator may write the
    shared one). Only for a body that names that same source: an impersonation is never laundered this way."""
    targets = [_replay_target(d, topics, via_shared_inbound) for d in letters]
    producer = create_producer(bootstrap_servers, client_id="accordeer-dlq-replay")
    await producer.start()
    try:
        sent = []
        for d, target in zip(letters, targets, strict=True):
            origin = f"{d.topic}/{d.partition}/{d.offset}".encode()
            meta = await producer.send_and_wait(target, value=d.value, key=d.key, headers=[(REPLAYED_FROM, origin)])
            sent.append(f"{meta.topic}/{meta.partition}/{meta.offset}")
        return sent
    finally:
        await producer.stop()


def _replay_target(d: DeadLetter, topics: Topics, via_shared_inbound: bool = False) -> str:
    """The topic its dead-letter topic belongs to, or for declarations.inbound.dlq also the source's own topic it
    came from: a per-source letter goes back where its source published it, never to another source's topic."""
    original = d.headers.get(h.ORIGINAL_TOPIC)
    target = dead_letter_topics(topics).get(d.topic)
    source = topics.source_of(original) if original and d.topic == topics.inbound_dlq else None
    if via_shared_inbound and source is not None:
        if _named_source(d.value) != source:
            raise ValueError(
                f"{d.topic} {d.ref} came from {original} but its body does not name source {source!r}: it can only"
                " go back to its own source's topic, by that source"
            )
        return topics.inbound
    # without the header (and from a topic that is no dead-letter topic) both are None: nowhere to replay to
    if original is not None and (original == target or _family_member(d.topic, original, topics)):
        return original
    members = {topics.inbound_dlq: " (or a source's own topic)", topics.workflow_actions_dlq: " (or a writer's own)"}
    raise ValueError(
        f"{d.topic} {d.ref} names original topic {original!r}; only {target!r}{members.get(d.topic, '')} can be"
        f" replayed to from {d.topic}"
    )


def _family_member(dead_letter_topic: str, original: str, topics: Topics) -> bool:
    """A per-source inbound topic's letter, or a writer's actions topic's: each goes back to its own topic (which,
    on a secure broker, only its own principal may write)."""
    if dead_letter_topic == topics.inbound_dlq:
        return topics.source_of(original) is not None
    return dead_letter_topic == topics.workflow_actions_dlq and topics.writer_of(original) is not None


def _named_source(value: bytes) -> str | None:
    try:
        body = json.loads(value)
    except ValueError:
        return None
    return body.get("source") if isinstance(body, dict) else None


def render_list(topic: str, letters: Sequence[DeadLetter], *, total: int | None = None) -> str:
    row = "{:>9} {:<24} {:<22} {:<40} {:<19} {:>8}  {}"
    lines = [f"{topic}: {len(letters) if total is None else total} dead letter(s)"]
    if letters:
        lines.append(row.format("PART:OFF", "KEY", "REASON CODE", "ORIGINAL", "DEAD-LETTERED", "BYTES", "REASON"))
    lines += [
        row.format(
            d.ref,
            _cut(d.key_text, 24),
            d.reason_code,
            d.original,
            _when(d.timestamp),
            len(d.value),
            _cut(d.headers.get(h.REASON, ""), 80),
        )
        for d in letters
    ]
    return "\n".join(lines)


def letter_dict(d: DeadLetter) -> dict[str, object]:
    return {
        "topic": d.topic,
        "ref": d.ref,
        "key": d.key_text,
        "reason_code": d.reason_code,
        "reason": d.headers.get(h.REASON, ""),
        "original": d.original,
        "dead_lettered_at": d.dead_lettered_at.isoformat(),
        "bytes": len(d.value),
    }


def body_of(d: DeadLetter) -> tuple[bool, str]:
    """Whether the value is JSON, and the value as shown: pretty JSON with base64 fields replaced by their length,
    or the text cut short."""
    try:
        return True, json.dumps(_shortened(json.loads(d.value)), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):
        return False, _cut(d.value.decode("utf-8", errors="replace"), 4 * LONG_TEXT)


def render_show(d: DeadLetter) -> str:
    """Headers, then the value: pretty JSON with base64 fields replaced by their length, or cut text."""
    lines = [f"{d.topic} {d.ref}  key={d.key_text}  dead-lettered {_when(d.timestamp)}  {len(d.value)} bytes"]
    lines += [f"  {name}: {value}" for name, value in d.headers.items()]
    if d.headers.get(h.ORIGINAL_TIMESTAMP, "").isdigit():
        lines.append(f"  (first published {_when(int(d.headers[h.ORIGINAL_TIMESTAMP]))})")
    is_json, body = body_of(d)
    return "\n".join([*lines, "", body if is_json else f"(not JSON) {body}"])


def _shortened(value: object, name: str = "") -> object:
    if isinstance(value, dict):
        return {k: _shortened(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_shortened(v, name) for v in value]
    if isinstance(value, str) and name.endswith("base64"):
        return f"<base64, {len(value)} characters, not shown>"
    return _cut(value, LONG_TEXT) if isinstance(value, str) else value


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else f"{text[: most - 1]}… ({len(text)} characters)"


def _when(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
