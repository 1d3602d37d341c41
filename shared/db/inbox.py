"""The inbox: which Kafka records a consumer group has already applied, kept in the service's own schema.

Offsets are committed to Kafka only after the database transaction commits, so
a crash in between redelivers records that were already applied. Each batch's
transaction locks the partitions' positions, drops records below them, and
moves them forward together with the state: applied exactly once.
"""

from collections.abc import Sequence
from typing import Protocol, TypeVar

from shared.db.pool import Connection


class RecordCoordinates(Protocol):
    topic: str
    partition: int
    offset: int


R = TypeVar("R", bound=RecordCoordinates)


async def claim_unapplied(conn: Connection, schema: str, consumer: str, records: Sequence[R]) -> list[R]:
    """Within the caller's transaction: return the records not applied before, and mark all as applied."""
    if not records:
        return []
    partitions = sorted({(r.topic, r.partition) for r in records})
    topics = [t for t, _ in partitions]
    numbers = [p for _, p in partitions]
    await conn.execute(
        f"INSERT INTO {schema}.inbox_positions (consumer, topic, partition, next_offset)"
        " SELECT $1, t, p, 0 FROM unnest($2::text[], $3::int[]) AS x(t, p) ON CONFLICT DO NOTHING",
        consumer,
        topics,
        numbers,
    )
    rows = await conn.fetch(
        f"SELECT topic, partition, next_offset FROM {schema}.inbox_positions"
        " WHERE consumer = $1 AND (topic, partition) IN (SELECT * FROM unnest($2::text[], $3::int[]))"
        " ORDER BY topic, partition FOR UPDATE",
        consumer,
        topics,
        numbers,
    )
    applied_below = {(r["topic"], r["partition"]): r["next_offset"] for r in rows}
    fresh = [r for r in records if r.offset >= applied_below[(r.topic, r.partition)]]
    next_offsets: dict[tuple[str, int], int] = {}
    for r in records:
        key = (r.topic, r.partition)
        next_offsets[key] = max(next_offsets.get(key, 0), r.offset + 1, applied_below[key])
    await conn.execute(
        f"UPDATE {schema}.inbox_positions AS p SET next_offset = x.n"
        " FROM unnest($2::text[], $3::int[], $4::bigint[]) AS x(t, pa, n)"
        " WHERE p.consumer = $1 AND p.topic = x.t AND p.partition = x.pa",
        consumer,
        topics,
        numbers,
        [next_offsets[k] for k in partitions],
    )
    return fresh


async def applied_positions(
    conn: Connection, schema: str, consumer: str, partitions: Sequence[tuple[str, int]]
) -> dict[tuple[str, int], int]:
    """The next offset ``consumer`` applied, per (topic, partition) of those given that have one."""
    rows = await conn.fetch(
        f"SELECT topic, partition, next_offset FROM {schema}.inbox_positions"
        " WHERE consumer = $1 AND (topic, partition) IN (SELECT * FROM unnest($2::text[], $3::int[]))",
        consumer,
        [t for t, _ in partitions],
        [p for _, p in partitions],
    )
    return {(r["topic"], r["partition"]): r["next_offset"] for r in rows}
