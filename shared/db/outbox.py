"""The outbox: records to publish, written in the same transaction as the state they describe, and how the relay
settles them: published rows deleted, rows Kafka refuses for good set aside."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import BaseModel

from shared.db.lease import RelayLease


@dataclass(frozen=True)
class OutboxRecord:
    """One Kafka record waiting in the outbox."""

    topic: str
    key: str | None
    value: bytes
    headers: tuple[tuple[str, str], ...] = field(default=())

    @classmethod
    def of(cls, topic: str, key: str | None, model: BaseModel, headers: Iterable[tuple[str, str]] = ()) -> "OutboxRecord":
        return cls(topic=topic, key=key, value=model.model_dump_json().encode(), headers=tuple(headers))


async def append(conn, schema: str, records: Iterable[OutboxRecord]) -> None:
    """Within the caller's transaction; ids keep the order given, which the relay keeps per key."""
    rows = [
        (r.topic, r.key.encode() if r.key is not None else None, r.value, [list(h) for h in r.headers])
        for r in records
    ]
    if rows:
        await conn.copy_records_to_table("outbox", schema_name=schema, columns=("topic", "key", "value", "headers"),
                                         records=rows)


@dataclass(frozen=True)
class Refusal:
    """An outbox row Kafka refuses for good, and why (never its contents)."""

    id: int
    topic: str
    reason: str
    error: str


async def settle(conn, schema: str, lease: RelayLease, published: list[int], refused: list[Refusal]) -> None:
    """Delete the published rows and move the refused ones to ``<schema>.outbox_set_aside``, in one transaction,
    only while ``lease`` is held (LeaseLost otherwise)."""
    async with conn.transaction():
        await lease.hold(conn)
        # By id, not by range: a transaction that took a lower id may commit later.
        await conn.execute(f"DELETE FROM {schema}.outbox WHERE id = ANY($1::bigint[])", published)
        if refused:
            await conn.execute(
                f"""WITH why AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[]) AS w(id, reason, error)),
                         moved AS (DELETE FROM {schema}.outbox o USING why WHERE o.id = why.id
                                   RETURNING o.*, why.reason, why.error)
                    INSERT INTO {schema}.outbox_set_aside (id, topic, key, value, headers, created_at, reason, error)
                    SELECT id, topic, key, value, headers, created_at, reason, error FROM moved""",
                [r.id for r in refused], [r.reason for r in refused], [r.error for r in refused])
