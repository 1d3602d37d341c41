"""Poison records against real Kafka and PostgreSQL: a test subscriber built with subscribe_batches.

Its apply stores each record once (inbox claim and row in one transaction) and
raises for a record whose value says "poison". One such record goes to the
dead-letter topic with its exception while everything else is applied once and
the partition moves on; a database that refuses connections dead-letters
nothing and loses nothing; and a consumer whose every record fails stops after
the guard's threshold.
"""

import asyncio
import itertools
import logging
import os
import time

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from faststream.kafka import KafkaBroker

from accordeer.kafka_io import publish
from accordeer.localstack.stack import create_database
from shared import dead_letters
from shared.db.inbox import claim_unapplied
from shared.db.migrations import apply_migrations
from shared.db.pool import create_pool
from shared.kafka.admin import ensure_topics, partitions_of
from shared.kafka.batches import subscribe_batches
from shared.kafka.poison import STOPPED, PoisonSettings, pool_answers
from shared.operations.dead_letters import read_dead_letters
from shared.topics import Topics

_numbers = itertools.count(1)
GROUP = "poison-test"


@pytest.fixture
async def database(infrastructure):
    name = f"poison_{os.getpid()}_{next(_numbers)}"
    url = await create_database(infrastructure.database_url, name)
    await asyncio.to_thread(apply_migrations, url)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute('CREATE TABLE public.applied (topic text, "partition" int, "offset" bigint, value text)')
    finally:
        await conn.close()
    return name, url


@pytest.fixture
async def topics(infrastructure):
    topics = Topics(f"poison{os.getpid()}_{next(_numbers)}.")
    await ensure_topics(infrastructure.bootstrap_servers, topics.prefix)
    return topics


class PoisonSubscriber:
    """Stores every record once; a value starting with "poison" raises a deterministic error."""

    def __init__(self, pool: asyncpg.Pool, error: Exception | None = None):
        self.pool = pool
        self.error = error

    async def apply(self, records) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            fresh = await claim_unapplied(conn, "workflow", GROUP, records)
            for record in fresh:
                if self.error is not None:
                    raise self.error
                if record.value.startswith(b"poison"):
                    raise ValueError(f"cannot apply {record.value.decode()}")
            await conn.executemany(
                "INSERT INTO public.applied VALUES ($1, $2, $3, $4)",
                [(r.topic, r.partition, r.offset, r.value.decode()) for r in fresh],
            )


async def _run(
    bootstrap: str,
    topic: str,
    subscriber: PoisonSubscriber,
    *,
    settings: PoisonSettings,
    retry_for_seconds: float = 60.0,
) -> KafkaBroker:
    broker = KafkaBroker(bootstrap)
    subscribe_batches(
        broker,
        topic,
        group_id=GROUP,
        apply=subscriber.apply,
        max_records=10,
        retry_for_seconds=retry_for_seconds,
        database_answers=lambda: pool_answers(subscriber.pool),
        poison=settings,
    )
    await broker.start()
    return broker


async def _until(condition, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.2)


async def _committed(bootstrap: str, topic: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=GROUP, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await partitions_of(bootstrap, topic)
        return sum([await consumer.committed(TopicPartition(p.topic, p.partition)) or 0 for p in partitions])
    finally:
        await consumer.stop()


async def _applied(pool) -> list[str]:
    return [r["value"] for r in await pool.fetch('SELECT value FROM public.applied ORDER BY "offset"')]


QUICK = PoisonSettings(attempts=3, attempt_wait_seconds=0.1)


async def test_a_poison_record_is_dead_lettered_with_its_exception_and_the_partition_moves_on(
    infrastructure, database, topics
):
    bootstrap, (_, url) = infrastructure.bootstrap_servers, database
    values = [f"record-{n}" for n in range(30)]
    values[13] = "poison-13"
    await publish(bootstrap, topics.dossier_items, [("one-key", v.encode()) for v in values])
    pool = await create_pool(url)
    broker = await _run(bootstrap, topics.dossier_items, PoisonSubscriber(pool), settings=QUICK)
    try:
        await _until(lambda: _ready(bootstrap, topics, pool, 29), "29 records applied and the partition committed")
    finally:
        await broker.stop()
    assert await _applied(pool) == [v for v in values if v != "poison-13"]  # each once, in order
    [letter] = await read_dead_letters(bootstrap, topics.dossier_items_dlq)
    assert (letter.key, letter.value) == (b"one-key", b"poison-13")
    assert letter.reason_code == dead_letters.FAILED_REPEATEDLY
    assert letter.headers[dead_letters.EXCEPTION_TYPE] == "ValueError"
    assert letter.headers[dead_letters.EXCEPTION] == "cannot apply poison-13"
    assert letter.headers[dead_letters.ORIGINAL_TOPIC] == topics.dossier_items
    assert letter.headers[dead_letters.ORIGINAL_OFFSET] == "13" and letter.headers[dead_letters.REFUSED_BY] == GROUP
    await pool.close()


async def _ready(bootstrap, topics, pool, count: int) -> bool:
    return len(await _applied(pool)) >= count and await _committed(bootstrap, topics.dossier_items) == 30


async def test_a_database_refusing_connections_is_waited_for_and_nothing_is_dead_lettered(
    infrastructure, database, topics, caplog
):
    bootstrap, (name, url) = infrastructure.bootstrap_servers, database
    await publish(bootstrap, topics.dossier_items, [("one-key", f"record-{n}".encode()) for n in range(10)])
    pool = await create_pool(url)
    admin = await asyncpg.connect(infrastructure.database_url)
    # The error a new connection then gets (55000, object not in prerequisite state) is not on the list of
    # infrastructure errors: only the health check keeps it from being taken for the record's fault.
    await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name)
    caplog.set_level(logging.WARNING, logger="shared.kafka.poison")
    broker = await _run(bootstrap, topics.dossier_items, PoisonSubscriber(pool), settings=QUICK, retry_for_seconds=2)
    try:
        await _until(lambda: _logged(caplog, "reading it again"), "a rewind after the retries ran out")
        assert await read_dead_letters(bootstrap, topics.dossier_items_dlq) == []
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await _until(lambda: _ready_count(pool, 10), "every record applied once the database is back")
        await _until(lambda: _committed_is(bootstrap, topics.dossier_items, 10), "the partition committed")
    finally:
        await broker.stop()
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()
    assert await _applied(pool) == [f"record-{n}" for n in range(10)]
    assert await read_dead_letters(bootstrap, topics.dossier_items_dlq) == []
    await pool.close()


async def _logged(caplog, text: str) -> bool:
    return any(text in r.getMessage() for r in caplog.records)


async def _ready_count(pool, count: int) -> bool:
    try:
        return len(await _applied(pool)) >= count
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
        return False


async def _committed_is(bootstrap, topic, count: int) -> bool:
    return await _committed(bootstrap, topic) == count


async def test_a_consumer_whose_every_record_fails_stops_after_the_guards_threshold(
    infrastructure, database, topics, caplog
):
    bootstrap, (_, url) = infrastructure.bootstrap_servers, database
    await publish(bootstrap, topics.dossier_items, [("one-key", f"record-{n}".encode()) for n in range(30)])
    pool = await create_pool(url)
    settings = PoisonSettings(
        # A window of an hour: on a loaded machine 29 failing records once took 90 s, and the first ten had left a
        # 60 s window before the guard could count 20. Ten records make the guard's case as well as twenty.
        attempts=2,
        attempt_wait_seconds=0,
        guard_share=0.5,
        guard_min_records=10,
        guard_window_seconds=3600,
    )
    caplog.set_level(logging.WARNING, logger="shared.kafka.poison")
    broker = await _run(
        bootstrap,
        topics.dossier_items,
        PoisonSubscriber(pool, KeyError("workflow 'standaard' is not configured")),
        settings=settings,
    )
    try:
        await _until(lambda: _logged(caplog, "stopped consuming"), "the guard to stop the consumer")
        await asyncio.sleep(3)  # and nothing more happens
        letters = await read_dead_letters(bootstrap, topics.dossier_items_dlq)
    finally:
        await broker.stop()
        STOPPED.clear()
    assert len(letters) == 9  # below the guard's minimum of 10 records, then no more
    assert {d.headers[dead_letters.EXCEPTION_TYPE] for d in letters} == {"KeyError"}
    [critical] = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert "would be dead letter 10 of the last 10 records within 3600s" in critical.getMessage()
    assert "KeyError" in critical.getMessage()
    assert await _committed(bootstrap, topics.dossier_items) <= 10  # the rest was never passed
    assert await _applied(pool) == []
    await pool.close()
