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
    """Within the caller's transaction: return the records not applied before, and mark all as applied.

    One statement locks the partitions' positions, reads them and moves them forward: a round trip per batch,
    where three were (a batch is mostly one record at light load, so each round trip counts). A partition this
    consumer has no position for yet is first given one at 0, then claimed the same way."""
    if not records:
        return []
    ends: dict[tuple[str, int], int] = {}
    for r in records:
        ends[(r.topic, r.partition)] = max(ends.get((r.topic, r.partition), 0), r.offset + 1)
    applied_below = await _move_positions(conn, schema, consumer, ends)
    if missing := sorted(ends.keys() - applied_below.keys()):
        await conn.execute(
            f"INSERT INTO {schema}.inbox_positions (consumer, topic, partition, next_offset)"
            " SELECT $1, t, p, 0 FROM unnest($2::text[], $3::int[]) AS x(t, p) ON CONFLICT DO NOTHING",
            consumer,
            [t for t, _ in missing],
            [p for _, p in missing],
        )
        applied_below |= await _move_positions(conn, schema, consumer, {k: ends[k] for k in missing})
    return [r for r in records if r.offset >= applied_below[(r.topic, r.partition)]]


async def _move_positions(
    conn: Connection, schema: str, consumer: str, ends: dict[tuple[str, int], int]
) -> dict[tuple[str, int], int]:
    """Lock the positions of the partitions given that have one, move each to at least its end, and return what
    they were. The UPDATE reads the locked rows (``was``), so it runs after the lock and sees the latest
    committed position, as a second statement would; partitions without a position are left out."""
    partitions = sorted(ends)
    rows = await conn.fetch(
        f"""WITH ends AS (SELECT * FROM unnest($2::text[], $3::int[], $4::bigint[]) AS e(topic, partition, n)),
                 was AS (SELECT p.topic, p.partition, p.next_offset FROM {schema}.inbox_positions p
                         JOIN ends USING (topic, partition) WHERE p.consumer = $1
                         ORDER BY p.topic, p.partition FOR UPDATE OF p),
                 moved AS (UPDATE {schema}.inbox_positions p SET next_offset = GREATEST(was.next_offset, ends.n)
                           FROM was JOIN ends USING (topic, partition)
                           WHERE p.consumer = $1 AND p.topic = was.topic AND p.partition = was.partition
                           RETURNING p.topic)
            SELECT topic, partition, next_offset FROM was""",
        consumer,
        [t for t, _ in partitions],
        [p for _, p in partitions],
        [ends[k] for k in partitions],
    )
    return {(r["topic"], r["partition"]): r["next_offset"] for r in rows}


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
