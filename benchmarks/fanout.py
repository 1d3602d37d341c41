"""The raw limit that moves the same Kafka work as the pipeline: per declaration, as many records on each topic, of
the same sizes (the pipeline's own records, replayed), each consumed by as many consumer groups, with nothing else
done. Measured in the same round, right after the pipeline's throughput phase has shown what that work is.

The pipeline's figure over this one says what our code costs on top of the broker and the client library; the
old reference (one topic relayed once) moved a fifth of the records, so its ratio flattered or hurt as the
pipeline's records changed. What this one leaves out, and the pipeline must do: PostgreSQL (each hop's
transaction), the hand-over from one hop to the next, the gateway.
"""

import asyncio
import itertools
import time
import uuid
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared import topology
from shared.kafka.admin import partitions_in
from shared.kafka.producer import create_producer
from shared.settings import Settings

SAMPLE = 200
"""Records per topic whose values are replayed (and whose sizes give the mean)."""

BATCH = 500
"""Records a consumer takes and commits at a time, and a producer awaits at a time: the services' batch."""


@dataclass(frozen=True)
class TopicWork:
    topic: str
    """Without the prefix."""
    partitions: int
    records: int
    mean_bytes: float
    groups: int
    """The stack's consumer groups that read it."""


@dataclass(frozen=True)
class FanOut:
    declarations: int
    seconds: float
    cpu_ms: dict[str, float]

    @property
    def throughput(self) -> float:
        return self.declarations / self.seconds


def groups_reading(topic: str) -> int:
    """How many of the stack's services consume ``topic`` (unprefixed) in their consumer group."""
    return sum(any(topology.matches(name, topic) for name in service.consumes) for service in topology.SERVICES)


async def ends(settings: Settings) -> dict[TopicPartition, int]:
    """The end offset of every partition of the system's topics."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers, client_id="bench-fanout")
    await admin.start()
    try:
        ours = [t for t in await admin.list_topics() if t.startswith(settings.topic_prefix)]
        partitions = [tp for description in await admin.describe_topics(ours) for tp in partitions_in(description)]
    finally:
        await admin.close()
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        return await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()


async def work_between(
    settings: Settings, before: dict[TopicPartition, int], after: dict[TopicPartition, int]
) -> tuple[list[TopicWork], dict[str, list[bytes]]]:
    """What each topic received between two samples of its ends, and up to ``SAMPLE`` of its values."""
    counts: dict[str, int] = {}
    for tp, end in after.items():
        counts[tp.topic] = counts.get(tp.topic, 0) + end - before.get(tp, 0)
    values: dict[str, list[bytes]] = {}
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False, isolation_level="read_committed"
    )
    await consumer.start()
    try:
        for topic in [t for t, n in counts.items() if n > 0]:
            partitions = [tp for tp in after if tp.topic == topic and after[tp] > before.get(tp, 0)]
            consumer.assign(partitions)
            for tp in partitions:
                consumer.seek(tp, before.get(tp, 0))
            taken: list[bytes] = []
            deadline = time.monotonic() + 10
            while len(taken) < min(SAMPLE, counts[topic]) and time.monotonic() < deadline:
                for records in (await consumer.getmany(timeout_ms=500, max_records=SAMPLE)).values():
                    taken += [r.value for r in records if r.value is not None]
            values[topic.removeprefix(settings.topic_prefix)] = taken[:SAMPLE] or [b""]
    finally:
        await consumer.stop()
    work = [
        TopicWork(
            name,
            sum(1 for tp in after if tp.topic == settings.topic_prefix + name),
            counts[settings.topic_prefix + name],
            sum(map(len, sample)) / len(sample),
            groups_reading(name),
        )
        for name, sample in sorted(values.items())
    ]
    return work, values


async def replay(settings: Settings, work: list[TopicWork], values: dict[str, list[bytes]]) -> float:
    """Seconds to produce every topic's records and have each of its groups consume and commit them all, every
    topic at once, on the topics of ``settings`` (a system without services)."""
    await _topics_for(settings, work)
    started = time.monotonic()
    await asyncio.gather(
        *[_produce(settings, w, values[w.topic]) for w in work],
        *[_consume(settings, w) for w in work for _ in range(w.groups)],
    )
    return time.monotonic() - started


async def _topics_for(settings: Settings, work: list[TopicWork]) -> None:
    """The topics the pipeline wrote that this system lacks (a source's own topics are made as sources appear)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers, client_id="bench-fanout")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [w for w in work if settings.topic_prefix + w.topic not in existing]
        if missing:
            await admin.create_topics(
                [NewTopic(settings.topic_prefix + w.topic, w.partitions, replication_factor=1) for w in missing]
            )
    finally:
        await admin.close()


async def _produce(settings: Settings, work: TopicWork, values: list[bytes]) -> None:
    producer = create_producer(settings.kafka_bootstrap_servers, client_id="bench-fanout")
    await producer.start()
    try:
        cycle = itertools.cycle(values)
        for start in range(0, work.records, BATCH):
            acks = [
                await producer.send(settings.topic_prefix + work.topic, value=next(cycle), key=uuid.uuid4().bytes)
                for _ in range(min(BATCH, work.records - start))
            ]
            await asyncio.gather(*acks)
    finally:
        await producer.stop()


async def _consume(settings: Settings, work: TopicWork) -> None:
    consumer = AIOKafkaConsumer(
        settings.topic_prefix + work.topic,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=f"bench-fanout-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=BATCH,
    )
    await consumer.start()
    try:
        consumed = 0
        while consumed < work.records:
            batch = await consumer.getmany(timeout_ms=500, max_records=BATCH)
            if batch:
                consumed += sum(map(len, batch.values()))
                await consumer.commit()
    finally:
        await consumer.stop()
