"""The lag sampler against a real broker: committed offsets, watermarks, time lag and group membership."""

import asyncio
import itertools
import os
import time

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from shared.kafka.admin import ensure_topics
from shared.lag import KafkaLagSource, LagMonitor, Status
from shared.topics import Topics

_numbers = itertools.count(1)


@pytest.fixture
async def kafka(infrastructure):
    topics = Topics(f"lag{os.getpid()}_{next(_numbers)}.")
    await ensure_topics(infrastructure.bootstrap_servers, topics.prefix)
    return infrastructure.bootstrap_servers, topics


async def _produce(bootstrap: str, topic: str, partition: int, timestamps_ms: list[int]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for n, ts in enumerate(timestamps_ms):
            await producer.send_and_wait(topic, f"record {n}".encode(), partition=partition, timestamp_ms=ts)
    finally:
        await producer.stop()


async def _commit(bootstrap: str, group: str, offsets: dict[TopicPartition, int]) -> None:
    """Commit as a group's consumer would, without joining the group."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(list(offsets))
        await consumer.commit(offsets)
    finally:
        await consumer.stop()


async def test_a_sample_reads_committed_offset_watermark_and_the_age_of_the_oldest_waiting_record(kafka):
    bootstrap, topics = kafka
    group, tp = topics.group("intake"), TopicPartition(topics.inbound, 2)
    now_ms = int(time.time() * 1000)
    # Ten records; the one at offset 4 (the oldest the group has not committed) is 90 seconds old.
    await _produce(bootstrap, tp.topic, tp.partition, [now_ms - 100_000 + n * 2_500 for n in range(10)])
    await _commit(bootstrap, group, {tp: 4})

    async with KafkaLagSource(bootstrap) as source:
        samples = await source.sample({group: [topics.inbound]})

    assert [(s.partition, s.committed, s.end, s.lag) for s in samples] == [
        (0, None, 0, 0),
        (1, None, 0, 0),
        (2, 4, 10, 6),
        (3, None, 0, 0),
        (4, None, 0, 0),
        (5, None, 0, 0),
    ]
    lagging = samples[2]
    assert lagging.oldest_timestamp == (now_ms - 90_000) / 1000
    assert 90 <= lagging.time_lag < 100
    assert all(s.time_lag == 0 for s in samples if s is not lagging)
    assert {s.members for s in samples} == {0}


async def test_a_group_that_never_committed_owes_the_whole_partition(kafka):
    bootstrap, topics = kafka
    now_ms = int(time.time() * 1000)
    await _produce(bootstrap, topics.approved, 5, [now_ms - 30_000, now_ms, now_ms])
    async with KafkaLagSource(bootstrap) as source:
        report = await LagMonitor(source, {topics.group("dispatch"): [topics.approved]}, window=2).fill(0.2)
    group = report.group(topics.group("dispatch"))
    assert (group.lag, group.status) == (3, Status.STOP)
    [waiting] = [p for p in group.partitions if p.latest.lag]
    assert (waiting.latest.partition, waiting.latest.committed, waiting.latest.position) == (5, None, 0)
    assert 30 <= waiting.latest.time_lag < 40


async def test_a_member_that_does_not_commit_stalls_and_its_leaving_stops(kafka):
    bootstrap, topics = kafka
    group = topics.group("dispatch")
    await _produce(bootstrap, topics.approved, 0, [int(time.time() * 1000)] * 7)
    member = AIOKafkaConsumer(
        topics.approved, bootstrap_servers=bootstrap, group_id=group, client_id="idle-member", enable_auto_commit=False
    )
    await member.start()
    try:
        async with KafkaLagSource(bootstrap) as source:
            monitor = LagMonitor(source, {group: [topics.approved]}, window=3)
            report = await _until(monitor, lambda r: r.group(group).partitions[0].latest.owner is not None)
            stalled = (await monitor.fill(0.3)).group(group)
            assert (stalled.status, stalled.lag) == (Status.STALL, 7)
            assert stalled.partitions[0].latest.owner == "idle-member@127.0.0.1"
            assert report.group(group).partitions[0].latest.members == 1

            await member.stop()
            stopped = (await monitor.sample()).group(group)
            assert (stopped.status, stopped.lag, stopped.partitions[0].latest.members) == (Status.STOP, 7, 0)
    finally:
        await member.stop()


async def test_commits_between_samples_give_a_consume_rate(kafka):
    bootstrap, topics = kafka
    group, tp = topics.group("intake"), TopicPartition(topics.inbound, 0)
    await _produce(bootstrap, tp.topic, tp.partition, [int(time.time() * 1000)] * 40)
    await _commit(bootstrap, group, {tp: 10})
    clock = iter([100.0, 110.0])
    async with KafkaLagSource(bootstrap, clock=lambda: next(clock)) as source:
        monitor = LagMonitor(source, {group: [topics.inbound]}, window=2)
        await monitor.sample()
        await _commit(bootstrap, group, {tp: 30})
        report = await monitor.sample()
    intake = report.group(group)
    assert (intake.lag, intake.consume_rate, intake.partitions[0].reason) == (10, 2.0, "no consumer in the group")
    # The commits came from outside the group and nobody is in it: STOP, and a stopped group never drains.
    assert (intake.status, intake.drain_seconds) == (Status.STOP, None)


async def test_a_missing_topic_is_named(kafka):
    bootstrap, _topics = kafka
    async with KafkaLagSource(bootstrap) as source:
        with pytest.raises(LookupError, match=r"nope\.topic"):
            await source.sample({"g": ["nope.topic"]})


async def _until(monitor: LagMonitor, predicate, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report = await monitor.sample()
        if predicate(report):
            return report
        await asyncio.sleep(0.2)
    raise AssertionError("the condition never held")


async def test_a_per_source_family_is_sampled_as_the_topics_that_exist_and_exported_as_gauges(kafka):
    """intake reads every source's own topic: a backlog there counts, also on a topic made after the table was
    written, and reaches the service's lag gauges."""
    from shared import metrics, topology
    from shared.kafka.admin import ensure_topics
    from shared.lag_gauges import export

    bootstrap, topics = kafka
    await ensure_topics(bootstrap, topics.prefix, sources=["lagsrc"])
    group = topics.group("intake")
    own = TopicPartition(topics.inbound_from("lagsrc"), 0)
    await _produce(bootstrap, own.topic, own.partition, [int(time.time() * 1000)] * 7)
    await _commit(bootstrap, group, {own: 2})

    groups = {group: topology.consumer_groups(topics)[group]}
    assert topics.prefix + topology.SOURCE_INBOUND in groups[group]
    async with KafkaLagSource(bootstrap) as source:
        report = await LagMonitor(source, groups, window=1).sample()
    [intake] = report.groups
    lags = {(p.latest.topic, p.latest.partition): p.latest.lag for p in intake.partitions}
    assert lags[(own.topic, 0)] == 5 and (topics.inbound, 0) in lags
    export(report)
    gauge = metrics.CONSUMER_LAG.labels(group=group, topic=own.topic, partition="0")
    assert gauge._value.get() == 5  # prometheus_client keeps the value there
