"""Deliveries in PostgreSQL (schema ``dispatch``), claimed with a lease so several processes share the work.

Every method runs on the connection of the caller's unit of work, inside its transaction; the status events and
dead letters that go with a change are published through that unit of work. A claim sets the row's due time to
the end of its lease; the later update of that claim only applies while the row still carries that due time (a
fencing token), so a process whose lease ran out cannot report a delivery that another process has taken over.
Deliveries to send are due by ``next_attempt_at`` and carry their document; sent ones are due by
``next_poll_at`` and carry only their ids.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from services.dispatch.domain import GatewayStatus
from shared.contracts.status import StatusCode, StatusEvent
from shared.db.pool import Connection

SCHEMA = "dispatch"

"""A connection of its own or one lent by a pool: either speaks the same queries."""
Claimed = TypeVar("Claimed")


@dataclass(frozen=True)
class NewDelivery:
    dossier_item_id: str
    message_id: str
    source: str
    aanleverkenmerk: str
    message: dict[str, Any]


@dataclass(frozen=True)
class Delivery:
    dossier_item_id: str
    message_id: str
    source: str
    aanleverkenmerk: str
    message: dict[str, Any]
    attempts: int
    status_code: int
    kenmerk: str | None
    leased_until: datetime
    attempt: int = 1
    previous_aanleverkenmerk: str | None = None


@dataclass(frozen=True)
class Sent:
    """A sent delivery as its poll sees it: ids and where its trail stands, never the document."""

    dossier_item_id: str
    message_id: str
    source: str
    aanleverkenmerk: str
    kenmerk: str
    status_code: int
    gateway_code: str | None
    polls: int
    unknown_polls: int
    sent_at: datetime
    leased_until: datetime


@dataclass(frozen=True)
class SentNow:
    """A claimed delivery the gateway has just taken: its kenmerk and when to ask for its trail first."""

    delivery: Delivery
    kenmerk: str
    poll_at: datetime


@dataclass(frozen=True)
class Progress:
    """What one poll changed for one delivery: its status and state now, the events to report, the next poll."""

    status_code: StatusCode
    events: list[StatusEvent]
    state: str = "sent"
    """'sent' (poll again at ``next_poll_at``), 'final' (80/90) or 'failed' (70, until a resend)."""
    gateway_code: str | None = None
    error: str | None = None
    next_poll_at: datetime | None = None


@dataclass(frozen=True)
class Unknown:
    """A sent delivery the gateway said it does not know: deliver it again now, or ask again at ``next_poll_at``."""

    sent: Sent
    redeliver: bool
    next_poll_at: datetime | None = None


class Deliveries(Protocol):
    async def add(self, deliveries: Sequence[NewDelivery]) -> int:
        """Store new deliveries (one already there is left as it is); returns how many were new."""
        ...

    async def claim(self, *, limit: int, lease: timedelta) -> list[Delivery]:
        """Due deliveries to send, leased to the caller."""
        ...

    async def claim_polls(self, *, limit: int, lease: timedelta) -> list[Sent]:
        """Sent deliveries whose next poll is due, leased to the caller."""
        ...

    async def next_poll_at(self) -> datetime | None:
        """When the first sent delivery is due to be polled; None when none is sent."""
        ...

    async def next_attempt_at(self) -> datetime | None:
        """When the first delivery to send is due; None when none waits to be sent."""
        ...

    async def mark_sent(self, sent: Sequence[SentNow]) -> set[str]:
        """Store deliveries the gateway took; the ids of those whose lease still held."""
        ...

    async def mark_retry(self, delivery: Delivery, *, error: str, retry_at: datetime, count_attempt: bool) -> bool:
        """Whether the lease still held, and the retry was stored."""
        ...

    async def mark_failed(self, delivery: Delivery, *, gateway_code: str | None, error: str) -> bool:
        """It stops at 70 until an operator sends it again (`accordeer resend`); whether the lease still held."""
        ...

    async def release(self, deliveries: Sequence[Delivery], *, at: datetime) -> None:
        """Hand claimed deliveries back untouched, due at ``at``: nothing was tried."""
        ...

    async def release_polls(self, polls: Sequence[Sent], *, at: datetime) -> None:
        """Hand claimed polls back untouched, due at ``at``: nothing was asked."""
        ...

    async def record_trails(
        self,
        polled: Sequence[tuple[Sent, list[GatewayStatus]]],
        progress: Callable[[Sent, list[GatewayStatus]], Progress],
    ) -> list[StatusEvent]:
        """Keep the statuses of each trail not seen before and apply ``progress`` of those; the events to report."""
        ...

    async def record_unknown(self, unknown: Sequence[Unknown]) -> None:
        """Count an answer that the gateway does not know the kenmerk; hand those to redeliver to the senders."""
        ...


_CLAIMED = (
    "d.dossier_item_id, d.message_id, d.source, d.aanleverkenmerk, d.request, d.attempts, d.status_code,"
    " d.kenmerk, d.next_attempt_at, d.attempt, d.previous_aanleverkenmerk"
)
_POLLED = (
    "d.dossier_item_id, d.message_id, d.source, d.aanleverkenmerk, d.kenmerk, d.status_code, d.gateway_code,"
    " d.polls, d.unknown_polls, d.sent_at, d.next_poll_at"
)


class PostgresDeliveries:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, deliveries: Sequence[NewDelivery]) -> int:
        rows = [
            (
                d.dossier_item_id,
                d.message_id,
                d.source,
                d.aanleverkenmerk,
                d.message,
                int(StatusCode.PREPARED_FOR_SENDING),
            )
            for d in deliveries
        ]
        if rows:
            await self.conn.executemany(
                "INSERT INTO dispatch.deliveries (dossier_item_id, message_id, source, aanleverkenmerk, request,"
                " state, status_code) VALUES ($1, $2, $3, $4, $5, 'to_send', $6)"
                " ON CONFLICT (dossier_item_id) DO NOTHING",
                rows,
            )
        return len(rows)

    async def claim(self, *, limit: int, lease: timedelta) -> list[Delivery]:
        rows = await self.conn.fetch(
            "UPDATE dispatch.deliveries d SET next_attempt_at = now() + $2, updated_at = now()"
            " FROM (SELECT dossier_item_id FROM dispatch.deliveries"
            "       WHERE state = 'to_send' AND next_attempt_at <= now()"
            "       ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) due"
            f" WHERE d.dossier_item_id = due.dossier_item_id RETURNING {_CLAIMED}",
            limit,
            lease,
        )
        return [
            Delivery(
                dossier_item_id=str(r["dossier_item_id"]),
                message_id=r["message_id"],
                source=r["source"],
                aanleverkenmerk=r["aanleverkenmerk"],
                message=r["request"],
                attempts=r["attempts"],
                status_code=r["status_code"],
                kenmerk=r["kenmerk"],
                leased_until=r["next_attempt_at"],
                attempt=r["attempt"],
                previous_aanleverkenmerk=r["previous_aanleverkenmerk"],
            )
            for r in rows
        ]

    async def next_attempt_at(self) -> datetime | None:
        first: datetime | None = await self.conn.fetchval(
            "SELECT min(next_attempt_at) FROM dispatch.deliveries WHERE state = 'to_send'"
        )
        return first

    async def next_poll_at(self) -> datetime | None:
        first: datetime | None = await self.conn.fetchval(
            "SELECT min(next_poll_at) FROM dispatch.deliveries WHERE state = 'sent'"
        )
        return first

    async def claim_polls(self, *, limit: int, lease: timedelta) -> list[Sent]:
        rows = await self.conn.fetch(
            "UPDATE dispatch.deliveries d SET next_poll_at = now() + $2"
            " FROM (SELECT dossier_item_id FROM dispatch.deliveries WHERE state = 'sent' AND next_poll_at <= now()"
            "       ORDER BY next_poll_at LIMIT $1 FOR UPDATE SKIP LOCKED) due"
            f" WHERE d.dossier_item_id = due.dossier_item_id RETURNING {_POLLED}",
            limit,
            lease,
        )
        return [
            Sent(
                dossier_item_id=str(r["dossier_item_id"]),
                message_id=r["message_id"],
                source=r["source"],
                aanleverkenmerk=r["aanleverkenmerk"],
                kenmerk=r["kenmerk"],
                status_code=r["status_code"],
                gateway_code=r["gateway_code"],
                polls=r["polls"],
                unknown_polls=r["unknown_polls"],
                sent_at=r["sent_at"],
                leased_until=r["next_poll_at"],
            )
            for r in rows
        ]

    async def mark_sent(self, sent: Sequence[SentNow]) -> set[str]:
        if not sent:
            return set()
        rows = await self.conn.fetch(
            "UPDATE dispatch.deliveries d SET state = 'sent', kenmerk = x.kenmerk, status_code = 60,"
            " attempts = d.attempts + 1, next_poll_at = x.poll_at, sent_at = coalesce(d.sent_at, now()), polls = 0,"
            " unknown_polls = 0, last_error = NULL, updated_at = now()"
            " FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::timestamptz[])"
            " AS x(id, leased_until, kenmerk, poll_at)"
            " WHERE d.dossier_item_id = x.id AND d.state = 'to_send' AND d.next_attempt_at = x.leased_until"
            " RETURNING d.dossier_item_id, d.attempt",
            [s.delivery.dossier_item_id for s in sent],
            [s.delivery.leased_until for s in sent],
            [s.kenmerk for s in sent],
            [s.poll_at for s in sent],
        )
        if resent := [r for r in rows if r["attempt"] > 1]:
            await self.conn.execute(
                "UPDATE dispatch.resends r SET sent_at = now() FROM unnest($1::uuid[], $2::int[]) AS x(id, attempt)"
                " WHERE r.dossier_item_id = x.id AND r.attempt = x.attempt AND r.sent_at IS NULL",
                [r["dossier_item_id"] for r in resent],
                [r["attempt"] for r in resent],
            )
        return {str(r["dossier_item_id"]) for r in rows}

    async def mark_retry(self, delivery: Delivery, *, error: str, retry_at: datetime, count_attempt: bool) -> bool:
        return await self._update_claimed(
            delivery,
            "attempts = attempts + $3::int, last_error = $4, next_attempt_at = $5, status_code = 70",
            int(count_attempt),
            error,
            retry_at,
        )

    async def mark_failed(self, delivery: Delivery, *, gateway_code: str | None, error: str) -> bool:
        return await self._update_claimed(
            delivery, "state = 'failed', status_code = 70, gateway_code = $3, last_error = $4", gateway_code, error
        )

    async def release(self, deliveries: Sequence[Delivery], *, at: datetime) -> None:
        await self._release(deliveries, "next_attempt_at", at)

    async def release_polls(self, polls: Sequence[Sent], *, at: datetime) -> None:
        await self._release(polls, "next_poll_at", at)

    async def _release(self, rows: Sequence[Delivery | Sent], due_column: str, at: datetime) -> None:
        if rows:
            await self.conn.execute(
                f"UPDATE dispatch.deliveries d SET {due_column} = $3 FROM unnest($1::uuid[], $2::timestamptz[])"
                f" AS x(id, leased_until) WHERE d.dossier_item_id = x.id AND d.{due_column} = x.leased_until",
                [d.dossier_item_id for d in rows],
                [d.leased_until for d in rows],
                at,
            )

    async def record_trails(
        self,
        polled: Sequence[tuple[Sent, list[GatewayStatus]]],
        progress: Callable[[Sent, list[GatewayStatus]], Progress],
    ) -> list[StatusEvent]:
        polled = await self._still_ours(polled, lambda p: p[0])
        statuses = [(d.kenmerk, str(s.code), s.timestamp) for d, trail in polled for s in trail]
        inserted = await self.conn.fetch(
            "INSERT INTO dispatch.gateway_statuses (kenmerk, statuscode, tijdstempel)"
            " SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING"
            " RETURNING kenmerk, statuscode, tijdstempel",
            [k for k, _, _ in statuses],
            [c for _, c, _ in statuses],
            [t for _, _, t in statuses],
        )
        new = {(r["kenmerk"], r["statuscode"], r["tijdstempel"]) for r in inserted}
        updates: list[tuple[str, int, str, str | None, str | None, datetime | None]] = []
        events: list[StatusEvent] = []
        for delivery, trail in polled:
            fresh = [s for s in trail if (delivery.kenmerk, str(s.code), s.timestamp) in new]
            result = progress(delivery, fresh)
            events += result.events
            updates.append(
                (
                    delivery.dossier_item_id,
                    int(result.status_code),
                    result.state,
                    result.gateway_code,
                    result.error,
                    result.next_poll_at,
                )
            )
        if updates:
            await self.conn.execute(
                "UPDATE dispatch.deliveries d SET status_code = x.code, state = x.state, updated_at = now(),"
                " gateway_code = coalesce(x.gateway_code, d.gateway_code),"
                " last_error = coalesce(x.error, d.last_error),"
                " next_poll_at = x.next_poll_at, polls = d.polls + 1, unknown_polls = 0"
                " FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])"
                " AS x(id, code, state, gateway_code, error, next_poll_at) WHERE d.dossier_item_id = x.id",
                *(list(column) for column in zip(*updates, strict=True)),
            )
        return events

    async def record_unknown(self, unknown: Sequence[Unknown]) -> None:
        unknown = await self._still_ours(unknown, lambda u: u.sent)
        await self.conn.execute(
            "UPDATE dispatch.deliveries d SET updated_at = now(), polls = d.polls + 1,"
            " unknown_polls = CASE WHEN x.redeliver THEN 0 ELSE d.unknown_polls + 1 END,"
            " state = CASE WHEN x.redeliver THEN 'to_send' ELSE d.state END,"
            " next_attempt_at = CASE WHEN x.redeliver THEN now() ELSE d.next_attempt_at END,"
            " next_poll_at = x.next_poll_at"
            " FROM unnest($1::uuid[], $2::bool[], $3::timestamptz[]) AS x(id, redeliver, next_poll_at)"
            " WHERE d.dossier_item_id = x.id",
            [u.sent.dossier_item_id for u in unknown],
            [u.redeliver for u in unknown],
            [u.next_poll_at for u in unknown],
        )

    async def _still_ours(self, claimed: Sequence[Claimed], sent_of: Callable[[Claimed], Sent]) -> list[Claimed]:
        """Of the claimed polls, those whose lease still holds; locked until the transaction ends."""
        if not claimed:
            return []
        ours = {
            str(r["dossier_item_id"])
            for r in await self.conn.fetch(
                "SELECT d.dossier_item_id FROM dispatch.deliveries d JOIN unnest($1::uuid[], $2::timestamptz[])"
                " AS x(id, leased_until) ON d.dossier_item_id = x.id"
                " WHERE d.state = 'sent' AND d.next_poll_at = x.leased_until FOR UPDATE OF d",
                [sent_of(c).dossier_item_id for c in claimed],
                [sent_of(c).leased_until for c in claimed],
            )
        }
        return [c for c in claimed if sent_of(c).dossier_item_id in ours]

    async def _update_claimed(self, delivery: Delivery, assignments: str, *args: object) -> bool:
        return bool(
            await self.conn.fetchval(
                f"UPDATE dispatch.deliveries SET {assignments}, updated_at = now()"
                " WHERE dossier_item_id = $1 AND state = 'to_send' AND next_attempt_at = $2 RETURNING true",
                delivery.dossier_item_id,
                delivery.leased_until,
                *args,
            )
        )
