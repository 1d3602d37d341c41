"""A service's positions against the Kafka they were read from: a first start records the cluster; a database
that meets another cluster, or positions beyond the end of their partitions (a topic made again), stop the start
with what to do; forgetting the positions lets it start over."""

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from tenacity import AsyncRetrying, stop_after_delay, wait_fixed

from shared.db.pool import connect
from shared.db.positions import ForeignPositions, check_positions, forget_positions, kafka_cluster_id


@pytest.fixture
async def conn(system):
    connection = await connect(system.settings.database_url)
    try:
        yield connection
    finally:
        await connection.close()


async def test_a_first_start_records_the_cluster_and_a_later_one_on_the_same_cluster_passes(system, conn):
    await check_positions(conn, "intake", system.settings)
    assert await conn.fetchval("SELECT cluster_id FROM intake.kafka_cluster") == await kafka_cluster_id(system.settings)
    await check_positions(conn, "intake", system.settings)


async def test_positions_from_another_cluster_stop_the_start_until_they_are_forgotten(system, conn):
    await conn.execute("INSERT INTO workflow.kafka_cluster (cluster_id) VALUES ('restored-from-elsewhere')")
    await conn.execute("INSERT INTO workflow.inbox_positions VALUES ('g', $1, 0, 0)", system.topics.dossier_items)
    with pytest.raises(ForeignPositions, match=r"Kafka cluster restored-from-elsewhere.*positions forget workflow"):
        await check_positions(conn, "workflow", system.settings)
    assert await forget_positions(conn, "workflow", system.settings) == 1
    await check_positions(conn, "workflow", system.settings)
    assert await conn.fetchval("SELECT count(*) FROM workflow.inbox_positions") == 0


async def test_positions_beyond_the_end_of_a_partition_stop_the_start(system, conn):
    """A topic deleted and made again starts at offset 0: a stored position of 40 would skip 40 new records."""
    await check_positions(conn, "dispatch", system.settings)
    await conn.execute("INSERT INTO dispatch.inbox_positions VALUES ('g', $1, 2, 40)", system.topics.approved)
    with pytest.raises(ForeignPositions, match=r"beyond the end of their partitions: .*messages\.approved\[2\] at 40"):
        await check_positions(conn, "dispatch", system.settings)


async def test_forgotten_positions_are_replaced_by_the_groups_committed_offsets(system, conn):
    """A consumer starts at the stored position (shared/kafka/resume.py): forgetting must leave the committed
    offsets there, or the service would read every partition again from its beginning."""
    await system.publish(system.topics.dossier_items, [("item", b"{}")] * 3)
    ends = await _ends(system, [TopicPartition(system.topics.dossier_items, p) for p in range(6)])
    [partition] = [p for p, end in ends.items() if end == 3]
    committer = AIOKafkaConsumer(
        bootstrap_servers=system.settings.kafka_bootstrap_servers, group_id=system.topics.group("workflow")
    )
    await committer.start()
    try:
        committer.assign([partition])
        async for attempt in AsyncRetrying(stop=stop_after_delay(30), wait=wait_fixed(0.5), reraise=True):
            with attempt:
                await committer.commit({partition: 2})
    finally:
        await committer.stop()
    await conn.execute("INSERT INTO workflow.inbox_positions VALUES ('g', $1, 0, 99)", system.topics.dossier_items)

    assert await forget_positions(conn, "workflow", system.settings) == 1

    rows = await conn.fetch("SELECT consumer, topic, partition, next_offset FROM workflow.inbox_positions")
    assert [tuple(r) for r in rows] == [(system.topics.group("workflow"), partition.topic, partition.partition, 2)]


async def _ends(system, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=system.settings.kafka_bootstrap_servers)
    await consumer.start()
    try:
        return await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()
