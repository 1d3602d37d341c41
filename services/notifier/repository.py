"""The notifier's mails in PostgreSQL (schema ``notifier``): stored once per event and recipient, then sent.

Consuming stores the rows (``PostgresNotifierRepository``, on the connection of
the consumer's unit of work, in its transaction). The sender claims due pending
rows with ``FOR UPDATE SKIP LOCKED`` and a lease (the row's due time moves to
the lease's end), so several processes share the work and a crashed process's
mails are taken again once its lease has run out. Each outcome is its own short
transaction, right after the SMTP server answered.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

import asyncpg

from services.notifier.composing import NewMail
from shared.contracts.directory import Party
from shared.db.pool import Connection
from shared.directory import store

SCHEMA = "notifier"
NEW_COLUMNS = ("event_id", "recipient", "dossier_item_id", "recipient_name", "address", "subject", "body", "message_id")
CLAIMED_COLUMNS = (
    "id",
    "recipient",
    "dossier_item_id",
    "recipient_name",
    "address",
    "subject",
    "body",
    "message_id",
    "attempts",
    "due_at",
)


@dataclass(frozen=True)
class Mail:
    """A pending mail, claimed for sending."""

    id: int
    recipient: str
    dossier_item_id: str
    recipient_name: str
    address: str
    subject: str
    body: str
    message_id: str
    attempts: int
    due_at: datetime
    """The claim's lease end; it is also the claim's token: renewing it checks that nobody took the mail over."""


class NotifierRepository(Protocol):
    """What the consumer needs, within its unit of work: the notifier's copy of the directory (to find the
    clients' addresses) and the mail rows it stores."""

    async def parties(self, ids: Iterable[str]) -> dict[str, Party]:
        """The current (not removed) parties among ``ids``."""
        ...

    async def all_parties(self) -> list[Party]:
        """Every current party."""
        ...

    async def add_mails(self, mails: Sequence[NewMail]) -> int:
        """Store the mails; one stored before (same event and recipient) is left as it is. Returns how many are
        new."""
        ...


class PostgresNotifierRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    async def parties(self, ids: Iterable[str]) -> dict[str, Party]:
        return await store.parties(self.conn, SCHEMA, ids)

    async def all_parties(self) -> list[Party]:
        return await store.all_parties(self.conn, SCHEMA)

    async def add_mails(self, mails: Sequence[NewMail]) -> int:
        if not mails:
            return 0
        columns = [[getattr(mail, name) for mail in mails] for name in NEW_COLUMNS]
        status = await self.conn.execute(
            f"INSERT INTO {SCHEMA}.mails ({', '.join(NEW_COLUMNS)})"
            f" SELECT * FROM unnest({', '.join(f'${i}::text[]' for i in range(1, len(NEW_COLUMNS) + 1))})"
            " ON CONFLICT DO NOTHING",
            *columns,
        )
        return int(status.split()[-1])


class Mails(Protocol):
    """What the sender needs of the mails table (PostgresMails; an in-memory one in unit tests)."""

    async def claim(self, *, limit: int, lease_seconds: float) -> list[Mail]: ...

    async def renew(self, mail: Mail, *, lease_seconds: float) -> Mail | None: ...

    async def mark_sent(self, mail: Mail) -> None: ...

    async def mark_refused(self, mail: Mail, *, error: str) -> None: ...

    async def postpone(self, mails: Sequence[Mail], *, delay_seconds: float, error: str) -> None: ...

    async def seconds_until_due(self) -> float | None:
        """How long until the first pending mail is due (0: now; a claim's lease end counts); None: none pending."""
        ...


class PostgresMails:
    def __init__(self, pool: Callable[[], asyncpg.Pool]):
        self._pool = pool

    async def claim(self, *, limit: int, lease_seconds: float) -> list[Mail]:
        rows = await self._pool().fetch(
            f"UPDATE {SCHEMA}.mails AS m SET due_at = now() + make_interval(secs => $2)"
            f" FROM (SELECT id FROM {SCHEMA}.mails WHERE state = 'pending' AND due_at <= now()"
            "        ORDER BY due_at, id LIMIT $1 FOR UPDATE SKIP LOCKED) AS due"
            f" WHERE m.id = due.id RETURNING {', '.join(f'm.{name}' for name in CLAIMED_COLUMNS)}",
            limit,
            lease_seconds,
        )
        return sorted((Mail(**dict(r)) for r in rows), key=lambda mail: mail.id)

    async def renew(self, mail: Mail, *, lease_seconds: float) -> Mail | None:
        """A fresh lease for the one mail about to be sent; None when another process holds it by now."""
        due_at = await self._pool().fetchval(
            f"UPDATE {SCHEMA}.mails SET due_at = now() + make_interval(secs => $3)"
            " WHERE id = $1 AND state = 'pending' AND due_at = $2 RETURNING due_at",
            mail.id,
            mail.due_at,
            lease_seconds,
        )
        return replace(mail, due_at=due_at) if due_at else None

    async def mark_sent(self, mail: Mail) -> None:
        await self._pool().execute(
            f"UPDATE {SCHEMA}.mails SET state = 'sent', sent_at = now(), last_error = NULL"
            " WHERE id = $1 AND state = 'pending'",
            mail.id,
        )

    async def mark_refused(self, mail: Mail, *, error: str) -> None:
        await self._pool().execute(
            f"UPDATE {SCHEMA}.mails SET state = 'failed', attempts = attempts + 1, last_error = $2"
            " WHERE id = $1 AND state = 'pending'",
            mail.id,
            error[:1000],
        )

    async def seconds_until_due(self) -> float | None:
        # greatest() would skip the NULL of no pending mail: the maximum is taken here
        wait = await self._pool().fetchval(
            f"SELECT extract(epoch FROM min(due_at) - now())::float8 FROM {SCHEMA}.mails WHERE state = 'pending'"
        )
        return None if wait is None else max(0.0, float(wait))

    async def postpone(self, mails: Sequence[Mail], *, delay_seconds: float, error: str) -> None:
        """Hand mails back after a failed try, due again after ``delay_seconds``."""
        await self._pool().execute(
            f"UPDATE {SCHEMA}.mails SET due_at = now() + make_interval(secs => $2), attempts = attempts + 1,"
            " last_error = $3 WHERE id = ANY($1::bigint[]) AND state = 'pending'",
            [m.id for m in mails],
            delay_seconds,
            error[:1000],
        )
