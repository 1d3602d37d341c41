"""The delivery guarantees' moving parts against real PostgreSQL and Kafka: inbox, outbox relay, batch commits."""

import asyncio
import itertools
import os
import time
from dataclasses import dataclass

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from faststream.kafka import KafkaBroker
from prometheus_client import REGISTRY

from accordeer.kafka_io import publish
from accordeer.localstack.stack import create_database
from shared.db.inbox import claim_unapplied
from shared.db.lease import LeaseLost, RelayLanes, application_name
from shared.db.migrations import apply_migrations
from shared.db.outbox import LANES, OutboxRecord, append, settle
from shared.db.pool import connect, create_pool
from shared.kafka.admin import ensure_topics, partitions_of
from shared.kafka.batches import subscribe_batches
from shared.kafka.producer import MAX_RECORD_BYTES, create_producer
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
    url = await create_database(infrastructure.database_url, name)
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


async def test_two_first_claims_of_a_new_partition_apply_its_records_once(database):
    first, second = await connect(database), await connect(database)
    records = [Record("new", 3, 0), Record("new", 3, 1)]
    transaction = first.transaction()
    await transaction.start()
    assert await claim_unapplied(first, "intake", "g", records) == records
    racing = asyncio.create_task(_claim_in_transaction(second, [*records, Record("new", 3, 2)]))
    await asyncio.sleep(0.3)
    assert not racing.done()
    await transaction.commit()
    assert await racing == [Record("new", 3, 2)]
    assert (
        await first.fetchval(
            "SELECT next_offset FROM intake.inbox_positions WHERE consumer = 'g' AND topic = 'new' AND partition = 3"
        )
        == 3
    )
    await first.close()
    await second.close()


async def test_a_pooled_connection_goes_back_without_a_reset_round_trip_but_an_open_transaction_is_rolled_back(
    database,
):
    pool = await create_pool(database, max_size=1)
    try:
        async with pool.acquire() as conn:
            await conn.execute("SET application_name = 'kept'")  # session state: the reset query would clear it
            await conn.execute("BEGIN")
            await conn.execute(
                "INSERT INTO intake.inbox_positions (consumer, topic, partition, next_offset) "
                "VALUES ('left-open', 't', 0, 1)"
            )
        async with pool.acquire() as conn:
            assert await conn.fetchval("SHOW application_name") == "kept"
            assert not await conn.fetchval("SELECT count(*) FROM intake.inbox_positions WHERE consumer = 'left-open'")
    finally:
        await pool.close()


async def _claim_in_transaction(conn, records):
    async with conn.transaction():
        return await claim_unapplied(conn, "intake", "g", records)


async def test_two_relays_share_the_lanes_and_keep_each_keys_order(infrastructure, database, topics):
    conn = await connect(database)
    relays = [OutboxRelay(database, "intake", _producers(infrastructure), batch_size=50) for _ in range(2)]
    tasks = [asyncio.create_task(r.run()) for r in relays]
    try:
        await _until(lambda: [len(r.lanes.held) for r in relays] == [LANES // 2] * 2, "the lanes shared out")
        assert set(relays[0].lanes.held).isdisjoint(relays[1].lanes.held)
        # what /metrics says (one process's figure: both relays here are one process's)
        await _until(lambda: _lanes_metric("accordeer_outbox_relay_lanes_held") == LANES // 2, "the held lanes figure")
        assert _lanes_metric("accordeer_outbox_relay_lanes") == LANES
        await _append(conn, topics.status, range(400), keys=40)
        await _until_drained(conn)
        assert sum(r.published for r in relays) == 400 and all(r.published > 0 for r in relays)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await conn.close()
    _assert_each_key_in_order(await _read_all(infrastructure.bootstrap_servers, topics.status, 400), range(400), 40)
    assert _lanes_metric("accordeer_outbox_relay_lanes_held") == 0  # stopped relays hold nothing


def _lanes_metric(name: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"service": "intake"})


async def test_a_stalled_relay_is_replaced_within_seconds_cannot_act_after_it_resumes_and_gets_its_share_back(
    infrastructure, database, topics
):
    conn = await connect(database)
    first, second = [
        OutboxRelay(database, "intake", _producers(infrastructure), batch_size=50, holder=name)
        for name in ("first", "second")
    ]
    tasks = [asyncio.create_task(first.run())]
    try:
        await _until(lambda: len(first.lanes.held) == LANES, "the first relay to take every lane")
        tasks.append(asyncio.create_task(second.run()))
        await _until(lambda: len(second.lanes.held) == LANES // 2, "the second relay to get its share")
        await _append(conn, topics.status, range(50), keys=10)
        await _until_drained(conn)
        first_lanes = set(first.lanes.held)

        # The first stalls (as if frozen or cut off from PostgreSQL): its heartbeat and its relaying stop,
        # its session stays open.
        await first._db.acquire()
        stalled_at = time.monotonic()
        published_before = first.published
        await _append(conn, topics.status, range(50, 150), keys=10)
        await _until_drained(conn, timeout=15)
        replaced_after = time.monotonic() - stalled_at
        assert replaced_after < 10, f"the stalled relay's rows waited {replaced_after:.1f}s"
        assert len(second.lanes.held) == LANES and first.published == published_before

        first._db.release()  # it resumes: its session was ended, so it can neither delete nor publish
        await _until(lambda: not first.holding, "the resumed relay to notice it lost its lanes")
        await _until(lambda: len(first.lanes.held) == LANES // 2, "the resumed relay to get its share back")
        await _append(conn, topics.status, range(150, 200), keys=10)
        await _until_drained(conn)
        assert first.published + second.published == 200
        tokens = dict(await conn.fetch("SELECT lane, token FROM intake.relay_leases"))
        assert all(tokens[lane] >= 2 for lane in first_lanes)  # each taken over once at least
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await conn.close()
    # nothing lost, nothing twice, each key in order
    _assert_each_key_in_order(await _read_all(infrastructure.bootstrap_servers, topics.status, 200), range(200), 10)
    print(f"stalled relay replaced: its rows published {replaced_after:.1f}s after the stall")


async def test_lanes_are_shared_out_among_the_relays_alive_and_a_gone_relays_lanes_taken_at_once(database):
    named = {"server_settings": {"application_name": application_name("intake")}}
    conns = [await asyncpg.connect(database, **named) for _ in range(3)]
    relays = [RelayLanes("intake", name, lanes=LANES) for name in "abc"]
    for relay, conn in zip(relays, conns, strict=True):
        await relay.rebalance(conn)
    assert [sorted(r.held) for r in relays] == [[0, 1, 2], [3, 4, 5], [6, 7]]  # three alive: at most 3 each

    await conns[2].close()  # c is gone: a takes its lanes at once, beyond its share, then gives back the excess
    assert await relays[0].rebalance(conns[0]) == ([6, 7], [])
    assert await relays[0].rebalance(conns[0]) == ([], [7])
    assert await relays[1].rebalance(conns[1]) == ([7], [])
    assert [sorted(r.held) for r in relays[:2]] == [[0, 1, 2, 6], [3, 4, 5, 7]]
    for relay, conn in zip(relays[:2], conns[:2], strict=True):
        await relay.renew(conn)
        await conn.close()


async def test_a_taken_over_lane_fences_the_old_holder_out_of_the_outbox(database, topics):
    old, new, stale = await connect(database), await connect(database), await connect(database)
    await _append(new, topics.status, range(3))
    ids = [r["id"] for r in await new.fetch("SELECT id FROM intake.outbox")]
    old_lanes, new_lanes = RelayLanes("intake", "old", lanes=LANES), RelayLanes("intake", "new", lanes=LANES)
    assert await old_lanes.rebalance(old) == (list(range(LANES)), [])
    assert await new_lanes.rebalance(new) == ([], [])  # held, renewed, its session alive
    await old_lanes.renew(old)
    await new.execute("UPDATE intake.relay_leases SET renewed_at = now() - interval '6 seconds'")

    assert await new_lanes.rebalance(new) == (list(range(LANES)), [])
    assert set(new_lanes.held.values()) == {2}
    with pytest.raises((asyncpg.ConnectionDoesNotExistError, asyncpg.InterfaceError, asyncpg.AdminShutdownError)):
        await settle(old, "intake", old_lanes, ids, [])  # its session was ended
    with pytest.raises(LeaseLost):
        await settle(stale, "intake", old_lanes, ids, [])  # and its tokens are stale on any other session
    assert await new.fetchval("SELECT count(*) FROM intake.outbox") == 3
    await settle(new, "intake", new_lanes, ids, [])
    assert await new.fetchval("SELECT count(*) FROM intake.outbox") == 0
    await new.close()
    await stale.close()
    old.terminate()


async def test_records_kafka_refuses_are_set_aside_and_the_rows_behind_them_published_in_order(
    infrastructure, database, topics
):
    bootstrap = infrastructure.bootstrap_servers
    small = f"{topics.prefix}small-records"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(small, 1, 1, topic_configs={"max.message.bytes": "2000"})])
    await admin.close()
    missing = f"{topics.prefix}no-such-topic"
    conn = await connect(database)
    async with conn.transaction():
        await append(
            conn,
            "intake",
            [
                *_records(topics.status, range(5)),
                OutboxRecord(missing, "k", b"lost"),
                *_records(topics.status, range(5, 10)),
                OutboxRecord(topics.status, "k", b"x" * (MAX_RECORD_BYTES + 1)),  # the producer refuses it
                *_records(small, range(10, 13)),
                OutboxRecord(small, "k", b"y" * 5000),  # the broker refuses it, and the batch it travels in
                *_records(small, range(13, 16)),
                *_records(topics.status, range(16, 20)),
            ],
        )
    refusals = [(missing, "unknown_topic"), (topics.status, "too_large"), (small, "too_large")]
    counted_before = [_set_aside_count(topic, reason) for topic, reason in refusals]
    relay = OutboxRelay(database, "intake", _producers(infrastructure))
    task = asyncio.create_task(relay.run())
    try:
        await _until_drained(conn, timeout=30)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    aside = await conn.fetch(
        "SELECT topic, reason, error, length(value) AS size FROM intake.outbox_set_aside ORDER BY id"
    )
    await conn.close()
    assert [(r["topic"], r["reason"]) for r in aside] == refusals
    assert "MessageSizeTooLargeError" in aside[1]["error"] and "MessageSizeTooLargeError" in aside[2]["error"]
    assert relay.published == 20 and relay.set_aside == 3
    assert [_set_aside_count(*refusal) - before for refusal, before in zip(refusals, counted_before, strict=True)] == [
        1,
        1,
        1,
    ]
    status = [r.value for r in await _read_all(bootstrap, topics.status, 14)]
    assert status == [f"{n}".encode() for n in [*range(10), *range(16, 20)]]
    assert [r.value for r in await _read_all(bootstrap, small, 6)][-6:] == [f"{n}".encode() for n in range(10, 16)]


def _producers(infrastructure):
    return lambda: create_producer(infrastructure.bootstrap_servers, client_id="relay")


def _set_aside_count(topic: str, reason: str) -> float:
    return (
        REGISTRY.get_sample_value(
            "accordeer_outbox_set_aside_total", {"service": "intake", "topic": topic, "reason": reason}
        )
        or 0
    )


def _records(topic: str, numbers, keys: int = 1) -> list[OutboxRecord]:
    """Record n is keyed ``k<n mod keys>``, so each key's records are in order of n."""
    return [OutboxRecord(topic, f"k{n % keys}" if keys > 1 else "k", f"{n}".encode()) for n in numbers]


async def _append(conn, topic: str, numbers, keys: int = 1) -> None:
    async with conn.transaction():
        await append(conn, "intake", _records(topic, numbers, keys))


def _assert_each_key_in_order(records, numbers, keys: int) -> None:
    """Every record once, and each key's records in the order they were written."""
    assert sorted(int(r.value) for r in records) == list(numbers)
    for key in range(keys):
        of_key = [int(r.value) for r in records if r.key == f"k{key}".encode()]
        assert of_key == sorted(of_key), f"key k{key} out of order: {of_key}"


async def _until_drained(conn, *, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while await conn.fetchval("SELECT count(*) FROM intake.outbox"):
        assert time.monotonic() < deadline, "the outbox was not drained in time"
        await asyncio.sleep(0.1)


async def _until(condition, what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_failed_batch_is_rewound_and_only_committed_after_success(infrastructure, topics) -> None:
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


async def _read_all(bootstrap: str, topic: str, count: int) -> list[ConsumerRecord]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await partitions_of(bootstrap, topic)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        records: list[ConsumerRecord] = []
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
