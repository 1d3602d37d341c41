"""A service's positions belong to one Kafka cluster and to the topics as they were when it read them.

Its inbox positions (and its directory copy's) are offsets: they mean something only on the cluster they were
read from, and only while the topic keeps its records. A database restored against a new cluster, or a topic
deleted and made again, would make a service skip records (its positions ahead of the new ones) or re-read them.
So at every start the service compares: the cluster it talks to with the one recorded at its first start, and
each stored position with the end of its partition. Either mismatch stops the start with a sentence that says
what to do; `accordeer positions forget SERVICE` makes the service start over from Kafka's committed offsets and
rely on its idempotency keys.
"""

from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from tenacity import AsyncRetrying, retry_if_exception, stop_after_delay, wait_exponential

from shared.db.pool import Connection
from shared.kafka.admin import retriable
from shared.kafka.security import client_options
from shared.settings import Settings


class ForeignPositions(RuntimeError):
    """The stored positions were not taken from this cluster or these topics: the service must not start."""


@dataclass(frozen=True)
class Position:
    topic: str
    partition: int
    next_offset: int


async def kafka_cluster_id(settings: Settings) -> str:
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers, client_id="accordeer-positions", **client_options(settings)
    )
    await admin.start()
    try:
        return str((await admin.describe_cluster())["cluster_id"])
    finally:
        await admin.close()


async def stored_positions(conn: Connection, schema: str) -> list[Position]:
    """The inbox positions of every consumer in the schema, and its directory copy's where it keeps one."""
    rows = await conn.fetch(
        f"SELECT topic, partition, max(next_offset) AS next_offset FROM {schema}.inbox_positions"
        " GROUP BY topic, partition"
    )
    if await conn.fetchval("SELECT to_regclass($1)", f"{schema}.directory_positions"):
        rows += await conn.fetch(f"SELECT topic, partition, next_offset FROM {schema}.directory_positions")
    return [Position(r["topic"], r["partition"], r["next_offset"]) for r in rows]


async def check_positions(conn: Connection, schema: str, settings: Settings) -> None:
    """Record the cluster at a first start; at a later one raise ForeignPositions when the cluster or a topic is
    not what the positions were taken from."""
    cluster = await kafka_cluster_id(settings)
    recorded = await conn.fetchval(f"SELECT cluster_id FROM {schema}.kafka_cluster")
    if recorded is None:
        await conn.execute(
            f"INSERT INTO {schema}.kafka_cluster (cluster_id) VALUES ($1) ON CONFLICT DO NOTHING", cluster
        )
    elif recorded != cluster:
        raise ForeignPositions(
            f"{schema}'s positions were read from Kafka cluster {recorded}, but this broker belongs to cluster"
            f" {cluster} (a database restored against another Kafka, or Kafka rebuilt under it): {_what_to_do(schema)}"
        )
    ahead = await _ahead(await stored_positions(conn, schema), settings)
    if ahead:
        where = ", ".join(f"{p.topic}[{p.partition}] at {p.next_offset} (its end: {end})" for p, end in ahead[:5])
        raise ForeignPositions(
            f"{schema}'s positions are beyond the end of their partitions: {where} (a topic deleted and made again,"
            f" or a database from a later time): {_what_to_do(schema)}"
        )


async def forget_positions(conn: Connection, schema: str, settings: Settings) -> int:
    """Drop the schema's positions, take the group's committed offsets on this cluster as its positions instead (a
    consumer starts at the stored position, shared/kafka/resume.py; a partition with none from its beginning), and
    record the current cluster; returns how many positions were dropped."""
    cluster = await kafka_cluster_id(settings)
    group = settings.topics.group(schema)
    committed = await _committed_offsets(settings, group)
    async with conn.transaction():
        dropped = len(await stored_positions(conn, schema))
        await conn.execute(f"DELETE FROM {schema}.inbox_positions")
        await conn.execute(
            f"INSERT INTO {schema}.inbox_positions (consumer, topic, partition, next_offset)"
            " SELECT $1, t, p, n FROM unnest($2::text[], $3::int[], $4::bigint[]) AS x(t, p, n)",
            group,
            [tp.topic for tp in committed],
            [tp.partition for tp in committed],
            list(committed.values()),
        )
        if await conn.fetchval("SELECT to_regclass($1)", f"{schema}.directory_positions"):
            await conn.execute(f"DELETE FROM {schema}.directory_positions")
        await conn.execute(
            f"INSERT INTO {schema}.kafka_cluster (cluster_id) VALUES ($1)"
            " ON CONFLICT (id) DO UPDATE SET cluster_id = excluded.cluster_id, recorded_at = now()",
            cluster,
        )
    return dropped


async def _committed_offsets(settings: Settings, group: str) -> dict[TopicPartition, int]:
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers, client_id="accordeer-positions", **client_options(settings)
    )
    await admin.start()
    try:
        # A coordinator still loading the group's offsets answers with a retriable error for a moment.
        async for attempt in AsyncRetrying(
            retry=retry_if_exception(retriable),
            wait=wait_exponential(multiplier=0.2, max=2),
            stop=stop_after_delay(30),
            reraise=True,
        ):
            with attempt:
                offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}


async def _ahead(positions: list[Position], settings: Settings) -> list[tuple[Position, int]]:
    if not positions:
        return []
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers, client_id="accordeer-positions", **client_options(settings)
    )
    await consumer.start()
    try:
        existing = set(await consumer.topics())
        present = [p for p in positions if p.topic in existing]
        ends = await consumer.end_offsets([TopicPartition(p.topic, p.partition) for p in present])
    finally:
        await consumer.stop()
    gone = [(p, 0) for p in positions if p.topic not in existing and p.next_offset > 0]
    return gone + [(p, end) for p in present if p.next_offset > (end := ends[TopicPartition(p.topic, p.partition)])]


def _what_to_do(schema: str) -> str:
    return (
        f"either point it at the Kafka its database belongs to, or run `accordeer positions forget {schema}` to"
        " start over from Kafka's committed offsets (every record is then judged again by its idempotency keys:"
        " nothing is applied twice)"
    )
