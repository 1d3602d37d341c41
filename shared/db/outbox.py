"""The outbox: records to publish, written in the same transaction as the state they describe, in lanes, and how
the relay settles them: published rows deleted, rows Kafka refuses for good set aside."""

import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import BaseModel

from shared.db.lease import RelayLanes
from shared.db.pool import Connection
from shared.db.rows import insert_rows

LANES = 8
"""How many lanes each outbox is split into, so up to this many processes of a service relay at once. Fixed: with
another number a key's new rows would go to another lane than its rows still waiting, and could overtake them."""


COLUMNS = {"topic": "text", "key": "bytea", "value": "bytea", "headers": "jsonb", "lane": "smallint"}


def lane_of(lane_key: str | None) -> int:
    """The lane of a record: the same for every record with this lane key, spread evenly over the lanes."""
    return zlib.crc32(lane_key.encode()) % LANES if lane_key is not None else 0


@dataclass(frozen=True)
class OutboxRecord:
    """One Kafka record waiting in the outbox."""

    topic: str
    key: str | None
    value: bytes
    headers: tuple[tuple[str, str], ...] = field(default=())
    lane_key: str | None = None
    """What decides the record's lane (its key when None). The records of one declaration share one, its message
    id, whatever their Kafka keys: then its status events still go out before what sets the next service going."""

    @classmethod
    def of(
        cls,
        topic: str,
        key: str | None,
        model: BaseModel,
        headers: Iterable[tuple[str, str]] = (),
        *,
        lane_key: str | None = None,
    ) -> "OutboxRecord":
        return cls(
            topic=topic, key=key, value=model.model_dump_json().encode(), headers=tuple(headers), lane_key=lane_key
        )

    @property
    def lane(self) -> int:
        return lane_of(self.lane_key if self.lane_key is not None else self.key)


async def append(conn: Connection, schema: str, records: Iterable[OutboxRecord]) -> None:
    """Within the caller's transaction; ids keep the order given, which the relay keeps per lane (so per key).

    One INSERT from arrays (``shared.db.rows``): a round trip, where COPY took two."""
    # The headers as a tuple of pairs: in an array asyncpg takes a tuple as one value, a list as a dimension.
    rows = [(r.topic, r.key.encode() if r.key is not None else None, r.value, r.headers, r.lane) for r in records]
    await insert_rows(conn, f"{schema}.outbox", COLUMNS, rows)


@dataclass(frozen=True)
class Refusal:
    """An outbox row Kafka refuses for good, and why (never its contents)."""

    id: int
    topic: str
    reason: str
    error: str


async def settle(
    conn: Connection, schema: str, lanes: RelayLanes, published: list[int], refused: list[Refusal]
) -> None:
    """Delete the published rows and move the refused ones to ``<schema>.outbox_set_aside``, in one transaction,
    only while ``lanes`` are held (LeaseLost otherwise)."""
    if not refused:
        # The usual case in one statement (its own transaction): the lanes locked as ``hold`` locks them, the rows
        # deleted only if every lane is still ours. One round trip after each batch, where four were.
        held, arguments = lanes.holding(first=2)
        still_ours = await conn.fetchval(
            f"""WITH held AS ({held}),
                     gone AS (DELETE FROM {schema}.outbox WHERE id = ANY($1::bigint[])
                              AND (SELECT count(*) FROM held) = {len(lanes.held)} RETURNING 1)
                SELECT count(*) FROM held""",
            published,
            *arguments,
        )
        if still_ours != len(lanes.held):
            raise lanes.lost()
        return
    async with conn.transaction():
        await lanes.hold(conn)
        # By id, not by range: a transaction that took a lower id may commit later.
        await conn.execute(f"DELETE FROM {schema}.outbox WHERE id = ANY($1::bigint[])", published)
        if refused:
            await conn.execute(
                f"""WITH why AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[]) AS w(id, reason, error)),
                         moved AS (DELETE FROM {schema}.outbox o USING why WHERE o.id = why.id
                                   RETURNING o.*, why.reason, why.error)
                    INSERT INTO {schema}.outbox_set_aside (id, topic, key, value, headers, created_at, reason, error)
                    SELECT id, topic, key, value, headers, created_at, reason, error FROM moved""",
                [r.id for r in refused],
                [r.reason for r in refused],
                [r.error for r in refused],
            )
