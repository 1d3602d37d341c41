"""The status API's read model and client keys in PostgreSQL (schema ``status_api``).

The consumer writes through ``StatusLines`` on its unit of work's connection: it locks the counters of the batch's
sources (in name order, so two processes never wait on each other crosswise), then learns which events are stored
already, then stores the new lines under the next numbers. The counter's row lock lasts until the commit, so the
lines of one source commit in the order of their numbers, and a rolled-back batch gives its numbers back: a reader
never sees a number before the ones below it. The API reads through ``PostgresStatuses`` and ``PostgresClients``.
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

import asyncpg

from services.status_api.entries import Entry, Numbered
from shared.db.pool import Connection
from shared.db.rows import insert_rows

SCHEMA = "status_api"
COLUMNS = {
    "source": "text",
    "seq": "bigint",
    "event_id": "text",
    "kind": "text",
    "message_id": "text",
    "dossier_item_id": "text",
    "status_code": "int",
    "status": "text",
    "detail": "text",
    "reason_code": "text",
    "authority_status_code": "text",
    "occurred_at": "timestamptz",
}
SELECTED = ", ".join(COLUMNS)


class Lines(Protocol):
    """What the consumer needs of the read model, within its unit of work."""

    async def lock_counters(self, sources: Sequence[str]) -> dict[str, int]:
        """Each source's last number (0 for a new one), its counter held by this transaction until it ends."""
        ...

    async def stored(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of these (source, event_id) are in the read model already."""
        ...

    async def add(self, lines: Sequence[Numbered]) -> None:
        """Store the lines and move each source's counter to its last line's number."""
        ...


class Statuses(Protocol):
    """What the API reads of the read model; every question is asked for one source."""

    async def of_message(
        self, source: str, message_id: str, since: datetime | None, until: datetime | None
    ) -> list[Numbered] | None:
        """The message's lines that occurred in [since, until), by number; None when the source has no such
        message."""
        ...

    async def after(self, source: str, seq: int, limit: int) -> list[Numbered]:
        """Up to ``limit`` lines numbered above ``seq``, by number."""
        ...


class Clients(Protocol):
    async def key_digest(self, source: str) -> str | None:
        """The SHA-256 of the source's API key; None when it has none."""
        ...


class StatusLines:
    def __init__(self, conn: Connection):
        self.conn = conn

    async def lock_counters(self, sources: Sequence[str]) -> dict[str, int]:
        names = sorted(set(sources))
        await self.conn.execute(
            f"INSERT INTO {SCHEMA}.sequences (source, last_seq) SELECT s, 0 FROM unnest($1::text[]) AS s"
            " ON CONFLICT DO NOTHING",
            names,
        )
        rows = await self.conn.fetch(
            f"SELECT source, last_seq FROM {SCHEMA}.sequences WHERE source = ANY($1::text[])"
            " ORDER BY source FOR UPDATE",
            names,
        )
        return {r["source"]: r["last_seq"] for r in rows}

    async def stored(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        rows = await self.conn.fetch(
            f"SELECT source, event_id FROM {SCHEMA}.events"
            " WHERE (source, event_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))",
            [source for source, _ in keys],
            [event_id for _, event_id in keys],
        )
        return {(r["source"], r["event_id"]) for r in rows}

    async def add(self, lines: Sequence[Numbered]) -> None:
        if not lines:
            return
        await insert_rows(self.conn, f"{SCHEMA}.events", COLUMNS, [_row(line) for line in lines])
        last = _last_numbers(lines)
        await self.conn.execute(
            f"UPDATE {SCHEMA}.sequences AS s SET last_seq = x.seq"
            " FROM unnest($1::text[], $2::bigint[]) AS x(source, seq) WHERE s.source = x.source",
            list(last),
            list(last.values()),
        )


class PostgresStatuses:
    def __init__(self, pool: Callable[[], asyncpg.Pool]):
        self._pool = pool

    async def of_message(
        self, source: str, message_id: str, since: datetime | None, until: datetime | None
    ) -> list[Numbered] | None:
        async with self._pool().acquire() as conn:
            rows = await conn.fetch(
                f"SELECT {SELECTED} FROM {SCHEMA}.events WHERE source = $1 AND message_id = $2"
                " AND ($3::timestamptz IS NULL OR occurred_at >= $3) AND ($4::timestamptz IS NULL OR occurred_at < $4)"
                " ORDER BY seq",
                source,
                message_id,
                since,
                until,
            )
            # Without a window no line means no message; with one, the message may have lines outside it.
            windowed = since is not None or until is not None
            if rows or (windowed and await _has_message(conn, source, message_id)):
                return [_numbered(r) for r in rows]
            return None

    async def after(self, source: str, seq: int, limit: int) -> list[Numbered]:
        rows = await self._pool().fetch(
            f"SELECT {SELECTED} FROM {SCHEMA}.events WHERE source = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            source,
            seq,
            limit,
        )
        return [_numbered(r) for r in rows]


class PostgresClients:
    def __init__(self, pool: Callable[[], asyncpg.Pool]):
        self._pool = pool

    async def key_digest(self, source: str) -> str | None:
        digest: str | None = await self._pool().fetchval(
            f"SELECT key_sha256 FROM {SCHEMA}.clients WHERE source = $1", source
        )
        return digest


async def store_key(conn: Connection, source: str, key_sha256: str) -> None:
    """Give the source this key, in place of any it had (that one stops working at once)."""
    await conn.execute(
        f"INSERT INTO {SCHEMA}.clients (source, key_sha256) VALUES ($1, $2)"
        " ON CONFLICT (source) DO UPDATE SET key_sha256 = EXCLUDED.key_sha256, created_at = now()",
        source,
        key_sha256,
    )


async def _has_message(conn: Connection, source: str, message_id: str) -> bool:
    found: bool = await conn.fetchval(
        f"SELECT EXISTS (SELECT 1 FROM {SCHEMA}.events WHERE source = $1 AND message_id = $2)", source, message_id
    )
    return found


def _last_numbers(lines: Sequence[Numbered]) -> Mapping[str, int]:
    last: dict[str, int] = {}
    for line in lines:
        last[line.entry.source] = max(last.get(line.entry.source, 0), line.seq)
    return last


def _row(line: Numbered) -> tuple[object, ...]:
    e = line.entry
    return (
        e.source,
        line.seq,
        e.event_id,
        e.kind,
        e.message_id,
        e.dossier_item_id,
        e.status_code,
        e.status,
        e.detail,
        e.reason_code,
        e.authority_status_code,
        e.occurred_at,
    )


def _numbered(row: asyncpg.Record) -> Numbered:
    values = dict(row)
    return Numbered(values.pop("seq"), Entry(**values))
