"""Batch subscribers with the product's delivery semantics on top of FastStream.

FastStream's default policy commits before processing (a crash loses the
batch). Here the offsets are committed only after ``apply`` returned, i.e.
after its database transaction committed. When ``apply`` fails, the batch is
retried with exponential backoff for a bounded time, then the consumer is
rewound to the batch's first records (``nack``) and polls again, so the
partition is never skipped and the consumer never exceeds its poll interval.
Bad input is the use case's business (dead letters), not an exception here; a
record that makes ``apply`` fail the same way on every try while the database
and broker answer is set aside by ``shared.kafka.poison``, which also stops a
consumer that would set aside too many.
"""

import asyncio
from collections.abc import Sequence
from itertools import chain
from typing import Any, cast

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.kafka.subscriber.usecase import BatchSubscriber

from shared.db.outbox import OutboxRecord
from shared.kafka.commits import STOPPING_TIMEOUT_SECONDS, CommitPacer
from shared.kafka.idle import FETCH_WAIT_MS, FETCHER_WAKE_MS
from shared.kafka.poison import ApplyBatch, BatchRunner, Check, PoisonSettings, Verdict
from shared.kafka.producer import MAX_RECORD_BYTES
from shared.kafka.resume import AppliedPositions, ResumeAtApplied

__all__ = ["ApplyBatch", "subscribe_batches"]


async def _raw_values(message: KafkaMessage) -> list[bytes | None]:
    """No decoding by FastStream: a malformed record must reach the use case, which dead-letters it."""
    return [record.value for record in message.raw_message]


READ_MODEL_GATHER_MS = 250
"""How long a read model's consumer (the portal's pages, the status API, the notifier's mails) waits, once a poll
returned records, for more to arrive before it applies them as one batch. At light load every record would
otherwise be a batch of its own, with its own transaction, statements and commit; a declaration's six status events
and two task events come within about a quarter of a second of each other. Nobody waits on a read model the way
the next service waits on intake or workflow (outside software reads its statuses from Kafka), so a person sees a
change at most this much later; the pipeline's own hops never wait. An idle consumer is not woken by it."""


def waits_once(subscriber: BatchSubscriber, gather_ms: int = 0) -> None:
    """After a poll that found nothing, poll again at once. FastStream's batch subscriber sleeps another
    ``batch_timeout_ms`` after an empty poll: the poll itself has already waited that long for records (it returns
    as soon as any arrive), so the sleep only delays what arrives during it, and makes an idle consumer wake twice
    as often. A poll that comes back empty at once (a consumer with every partition paused) still waits out its
    time, so nothing spins.

    ``gather_ms``: after a poll that returned fewer than a full batch, wait this long and take what arrived
    meanwhile into the same batch (``READ_MODEL_GATHER_MS``)."""

    async def get_msg(consumer: AIOKafkaConsumer) -> tuple[ConsumerRecord, ...]:
        loop = asyncio.get_running_loop()
        started = loop.time()
        records = await consumer.getmany(timeout_ms=subscriber.batch_timeout_ms, max_records=subscriber.max_records)
        if not records:
            await asyncio.sleep(max(0.0, subscriber.batch_timeout_ms / 1000 - (loop.time() - started)))
        batch = tuple(chain.from_iterable(records.values()))
        room = None if subscriber.max_records is None else subscriber.max_records - len(batch)
        if gather_ms and batch and (room is None or room > 0):
            await asyncio.sleep(gather_ms / 1000)
            batch += _after(batch, await consumer.getmany(timeout_ms=0, max_records=room))
        return batch

    subscriber.get_msg = get_msg  # type: ignore[method-assign]


def _after(
    batch: tuple[ConsumerRecord, ...], more: dict[TopicPartition, list[ConsumerRecord]]
) -> tuple[ConsumerRecord, ...]:
    """The records of ``more`` beyond those of ``batch`` in each partition: a partition assigned again meanwhile is
    read again from its applied position (shared/kafka/resume.py), and a record must not be in a batch twice."""
    last: dict[tuple[str, int], int] = {}
    for record in batch:
        last[(record.topic, record.partition)] = record.offset
    return tuple(r for r in chain.from_iterable(more.values()) if r.offset > last.get((r.topic, r.partition), -1))


def commits_when_stopping(subscriber: BatchSubscriber, pacer: CommitPacer) -> None:
    """Before the subscriber stops its consumer, what the pacer holds back is committed and its timer goes: a timer
    left behind would commit through a stopped consumer's client, after its topics may be gone."""
    start, stop = subscriber.start, subscriber.stop

    async def started(*args: Any, **kwargs: Any) -> None:
        pacer.open()
        await start(*args, **kwargs)

    async def stopped() -> None:
        pacer.close()
        if (consumer := subscriber.consumer) is not None:
            await pacer.commit(cast(AIOKafkaConsumer, consumer), timeout=STOPPING_TIMEOUT_SECONDS)
        await stop()

    subscriber.start = started  # type: ignore[method-assign]
    subscriber.stop = stopped  # type: ignore[method-assign]


def subscribe_batches(
    broker: KafkaBroker,
    topic: str | list[str] | None,
    *,
    group_id: str,
    pattern: str | None = None,
    apply: ApplyBatch,
    max_records: int = 500,
    batch_timeout_ms: int = FETCH_WAIT_MS,
    retry_for_seconds: float = 60.0,
    database_answers: Check | None = None,
    poison: PoisonSettings | None = None,
    title: str | None = None,
    description: str | None = None,
    applied: AppliedPositions | None = None,
    applies_first: frozenset[str] = frozenset(),
    gather_ms: int = 0,
) -> None:
    """Register a batch subscriber on ``topic`` (or several topics: one consumer, one group member) that calls
    ``apply`` and commits only after it succeeds. ``database_answers`` (e.g. ``SELECT 1`` on the service's pool)
    is checked with the broker before a failing record is dead-lettered.

    ``pattern`` (a regex, instead of ``topic``) subscribes to every topic it matches, also ones created later:
    the consumer finds them when it next refreshes the cluster's metadata, and reads them from the start.

    ``applied`` (the service's inbox positions) makes each assigned partition start at the next record the service
    applied rather than at the group's committed offset, and the topics it ``applies_first`` caught up before the
    others are read (shared/kafka/resume.py).

    ``gather_ms``: how long a batch waits for more records once some arrived (``READ_MODEL_GATHER_MS``)."""
    if (topic is None) == (pattern is None):
        raise ValueError("subscribe_batches takes either topic or pattern")
    topics = [] if topic is None else [topic] if isinstance(topic, str) else topic

    async def healthy() -> bool:
        if database_answers is not None and not await database_answers():
            return False
        return await broker.ping(timeout=5)

    async def publish(letter: OutboxRecord) -> None:
        await broker.publish(
            letter.value,
            letter.topic,
            key=letter.key.encode() if letter.key is not None else None,
            headers=dict(letter.headers),
        )

    runner = BatchRunner(
        apply,
        group_id=group_id,
        publish=publish,
        healthy=healthy,
        settings=poison or PoisonSettings(),
        retry_for_seconds=retry_for_seconds,
    )

    # on_batch's first parameter is the decoded body, which FastStream validates against its annotation: list[Any]
    # checks only that it is a list (of _raw_values' bytes or None), as a bare list did.
    resume = ResumeAtApplied(applied, group_id, applies_first=applies_first) if applied is not None else None
    # With the inbox positions as the truth (resume), the group's offsets only follow them: committed once a second.
    pacer = CommitPacer(group_id) if resume is not None else None
    subscriber = broker.subscriber(
        *topics,
        pattern=pattern,
        group_id=group_id,
        listener=resume,
        batch=True,
        max_records=max_records,
        batch_timeout_ms=batch_timeout_ms,
        ack_policy=AckPolicy.MANUAL,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=MAX_RECORD_BYTES,
        fetch_max_bytes=4 * MAX_RECORD_BYTES,
        consumer_timeout_ms=FETCHER_WAKE_MS,
        fetch_max_wait_ms=FETCH_WAIT_MS,
        decoder=_raw_values,
        title=title,
        description=description,
    )
    waits_once(subscriber, gather_ms)
    if resume is not None:
        resume.subscriber, resume.pacer = subscriber, pacer
    if pacer is not None:
        commits_when_stopping(subscriber, pacer)

    @subscriber
    async def on_batch(_: list[Any]) -> None:
        # From the broker's context, not as a parameter: FastStream resolves a context parameter with a call it runs
        # in a worker thread, a hand-over to a thread and back per batch (a tenth of a service's samples at light
        # load, profiled).
        message: KafkaMessage = broker.context.get_local("message")
        records: Sequence[ConsumerRecord] = message.raw_message
        verdict = await runner.run(records)
        if verdict is Verdict.APPLIED:
            if pacer is not None:
                # FastStream types it as its ConsumerProtocol; it is the AIOKafkaConsumer.
                await pacer.applied(cast(AIOKafkaConsumer, message.consumer), records)
            else:
                await message.ack()
            return
        await message.nack()
        if verdict is Verdict.STOPPED:
            # Stays a group member holding its partitions (no rebalance storm), fetching nothing more from them.
            # FastStream types it as its ConsumerProtocol (commit and seek only); it is the AIOKafkaConsumer.
            consumer = cast(AIOKafkaConsumer, message.consumer)
            consumer.pause(*consumer.assignment())
