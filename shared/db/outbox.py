"""The outbox: records to publish, written in the same transaction as the state they describe."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import BaseModel


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
