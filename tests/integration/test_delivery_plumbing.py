"""The delivery guarantees' moving parts against real PostgreSQL and Kafka: inbox, outbox relay, batch commits."""

import asyncio
import itertools
import os
from dataclasses import dataclass

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from faststream.kafka import KafkaBroker

from accordeer.kafka_io import publish
from accordeer.localstack.stack import with_database
from shared.db.inbox import claim_unapplied
from shared.db.migrations import apply_migrations
from shared.db.outbox import OutboxRecord, append
from shared.db.pool import connect
from shared.kafka.admin import ensure_topics, partitions_of
from shared.kafka.batches import subscribe_batches
from shared.kafka.producer import create_producer
from shared.kafka.relay import OutboxRelay
from shared.topics import Topics

_numbers = itertools.count(1)


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int


@pytest.fixture
async def database(infrastructure):
    name = f"plumbing_{os.getpid()}_{next(_numbers)}"
    admin = await asyncpg.connect(infrastructure.database_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = with_database(infrastructure.database_url, name)
    await asyncio.to_thread(apply_migrations, url)
    return url


@pytest.fixture
async def topics(infrastructure):
    topics = Topics(f"plumbing{os.getpid()}_{next(_numbers)}.")
    await ensure_topics(infrastructure.bootstrap_servers, topics.prefix)
    return topics


async def test_inbox_applies_each_record_once_and_serialises_overlapping_batches(database):
    first, second = await connect(database), await connect(database)
    batch = [Record("t", 0, 0), Record("t", 0, 1), Record("t", 1, 0)]
    async with first.transaction():
        assert await claim_unapplied(first, "intake", "g", batch) == batch
    async with first.transaction():
        again = await claim_unapplied(first, "intake", "g", [*batch, Record("t", 0, 2)])
    assert again == [Record("t", 0, 2)]

    # A redelivery racing the first transaction waits for it, then sees those records as applied.
    redelivered = [Record("t", 1, 1), Record("t", 1, 2)]
    transaction = first.transaction()
    await transaction.start()
    assert await claim_unapplied(first, "intake", "g", redelivered) == redelivered
    racing = asyncio.create_task(_claim_in_transaction(second, redelivered))
    await asyncio.sleep(0.3)
    assert not racing.done()
    await transaction.commit()
    assert await racing == []
    await first.close()
    await second.close()


async def _claim_in_transaction(conn, records):
    async with conn.transaction():
        return await claim_unapplied(conn, "intake", "g", records)


async def test_outbox_relay_publishes_in_order_deletes_and_has_one_leader(infrastructure, database, topics):
    conn = await connect(database)
    async with conn.transaction():
        await append(conn, "intake", [OutboxRecord(topics.status, "same-key", f"{n}".encode(), (("h", "v"),))
                                      for n in range(200)])
    producers = [create_producer(infrastructure.bootstrap_servers, client_id=f"relay{n}") for n in range(2)]
    relays = [OutboxRelay(database, "intake", p, batch_size=50, idle_wait=0.1) for p in producers]
    for producer in producers:
        await producer.start()
    tasks = [asyncio.create_task(r.run()) for r in relays]
    try:
        for _ in range(100):
            if await conn.fetchval("SELECT count(*) FROM intake.outbox") == 0:
                break
            await asyncio.sleep(0.1)
        assert await conn.fetchval("SELECT count(*) FROM intake.outbox") == 0
        assert sorted(r.published for r in relays) == [0, 200]  # one leader did all of it
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for producer in producers:
            await producer.stop()
        await conn.close()
    values = [r.value for r in await _read_all(infrastructure.bootstrap_servers, topics.status, 200)]
    assert values == [f"{n}".encode() for n in range(200)]  # one key, one partition: in outbox order


async def test_failed_batch_is_rewound_and_only_committed_after_success(infrastructure, topics):
    bootstrap = infrastructure.bootstrap_servers
    await publish(bootstrap, topics.inbound, [("k", f"{n}".encode()) for n in range(20)])
    applied: list[bytes] = []
    failures = {"left": 2}

    async def apply(records):
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("database unavailable")
        applied.extend(r.value for r in records)

    broker = KafkaBroker(bootstrap)
    subscribe_batches(broker, topics.inbound, group_id="plumbing", apply=apply, max_records=5, retry_for_seconds=0)
    await broker.start()
    try:
        for _ in range(200):
            if len(applied) >= 20:
                break
            await asyncio.sleep(0.1)
    finally:
        await broker.stop()
    assert applied == [f"{n}".encode() for n in range(20)]  # nothing skipped, nothing twice, in order
    assert await _committed(bootstrap, "plumbing", topics.inbound) == 20


async def _read_all(bootstrap: str, topic: str, count: int):
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await partitions_of(bootstrap, topic)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        records = []
        while len(records) < count:
            records += [r for rs in (await consumer.getmany(timeout_ms=1000)).values() for r in rs]
        return records
    finally:
        await consumer.stop()


async def _committed(bootstrap: str, group: str, topic: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await partitions_of(bootstrap, topic)
        return sum([await consumer.committed(TopicPartition(p.topic, p.partition)) or 0 for p in partitions])
    finally:
        await consumer.stop()
