"""Deliveries in PostgreSQL (schema ``dispatch``), claimed with a lease so several processes share the work.

Each method is one transaction that changes the deliveries and appends their status events to the
outbox together. A claim sets the row's due time to the end of its lease; the later update of that
claim only applies while the row still carries that due time (a fencing token), so a process whose
lease ran out cannot report a delivery that another process has taken over.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from aiokafka import ConsumerRecord

from services.dispatch.domain import GatewayStatus
from shared.contracts.status import StatusCode, StatusEvent
from shared.db import outbox
from shared.db.inbox import claim_unapplied
from shared.db.outbox import OutboxRecord

SCHEMA = "dispatch"


@dataclass(frozen=True)
class NewDelivery:
    dossier_item_id: str
    message_id: str
    source: str
    aanleverkenmerk: str
    message: dict


@dataclass(frozen=True)
class Delivery:
    dossier_item_id: str
    message_id: str
    source: str
    aanleverkenmerk: str
    message: dict
    attempts: int
    status_code: int
    kenmerk: str | None
    leased_until: datetime


@dataclass(frozen=True)
class Progress:
    """What one poll changed for one delivery: its status now (final or not) and the events to report."""

    status_code: StatusCode
    events: list[StatusEvent]


Events = Sequence[StatusEvent]


class Deliveries(Protocol):
    async def add_new(self, consumer: str, records: Sequence[ConsumerRecord],
                      read: Callable[[ConsumerRecord], NewDelivery | None]) -> int:
        """Store the deliveries of the records this consumer has not applied before; returns how many."""
        ...

    async def claim(self, *, sent: bool, limit: int, lease: timedelta) -> list[Delivery]:
        """Due deliveries to send (or, with ``sent``, to poll), leased to the caller."""
        ...

    async def mark_sent(self, delivery: Delivery, kenmerk: str, *, poll_at: datetime, events: Events) -> bool: ...

    async def mark_retry(self, delivery: Delivery, *, error: str, retry_at: datetime, count_attempt: bool,
                         events: Events) -> bool: ...

    async def mark_final(self, delivery: Delivery, *, status_code: StatusCode, error: str, events: Events) -> bool: ...

    async def release(self, deliveries: Sequence[Delivery], *, at: datetime) -> None:
        """Hand claimed deliveries back untouched, due at ``at``: nothing was tried."""
        ...

    async def record_trails(self, polled: Sequence[tuple[Delivery, list[GatewayStatus]]],
                            progress: Callable[[Delivery, list[GatewayStatus]], Progress], *,
                            next_poll_at: datetime) -> None:
        """Keep the statuses of each trail not seen before and report them (``progress`` of those), at once."""
        ...


_CLAIMED = ("d.dossier_item_id, d.message_id, d.source, d.aanleverkenmerk, d.request, d.attempts, d.status_code,"
            " d.kenmerk, d.next_attempt_at")


class PostgresDeliveries:
    def __init__(self, pool: Callable[[], object], status_topic: str):
        self._pool = pool
        self._status_topic = status_topic

    async def add_new(self, consumer, records, read) -> int:
        async with self._pool().acquire() as conn, conn.transaction():
            fresh = await claim_unapplied(conn, SCHEMA, consumer, records)
            rows = [(d.dossier_item_id, d.message_id, d.source, d.aanleverkenmerk, d.message,
                     int(StatusCode.PREPARED_FOR_SENDING)) for d in map(read, fresh) if d is not None]
            await conn.executemany(
                "INSERT INTO dispatch.deliveries (dossier_item_id, message_id, source, aanleverkenmerk, request,"
                " state, status_code) VALUES ($1, $2, $3, $4, $5, 'to_send', $6)"
                " ON CONFLICT (dossier_item_id) DO NOTHING",
                rows,
            )
        return len(rows)

    async def claim(self, *, sent, limit, lease) -> list[Delivery]:
        async with self._pool().acquire() as conn:
            rows = await conn.fetch(
                "UPDATE dispatch.deliveries d SET next_attempt_at = now() + $3, updated_at = now()"
                " FROM (SELECT dossier_item_id FROM dispatch.deliveries WHERE state = $1 AND next_attempt_at <= now()"
                "       ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED) due"
                f" WHERE d.dossier_item_id = due.dossier_item_id RETURNING {_CLAIMED}",
                "sent" if sent else "to_send", limit, lease,
            )
        return [Delivery(dossier_item_id=str(r["dossier_item_id"]), message_id=r["message_id"], source=r["source"],
                         aanleverkenmerk=r["aanleverkenmerk"], message=r["request"], attempts=r["attempts"],
                         status_code=r["status_code"], kenmerk=r["kenmerk"], leased_until=r["next_attempt_at"])
                for r in rows]

    async def mark_sent(self, delivery, kenmerk, *, poll_at, events) -> bool:
        return await self._update_claimed(
            delivery, events,
            "state = 'sent', kenmerk = $3, status_code = 60, attempts = attempts + 1, next_attempt_at = $4,"
            " last_error = NULL", kenmerk, poll_at)

    async def mark_retry(self, delivery, *, error, retry_at, count_attempt, events) -> bool:
        return await self._update_claimed(
            delivery, events,
            "attempts = attempts + $3::int, last_error = $4, next_attempt_at = $5, status_code = 70",
            int(count_attempt), error, retry_at)

    async def mark_final(self, delivery, *, status_code, error, events) -> bool:
        return await self._update_claimed(
            delivery, events, "state = 'final', status_code = $3, last_error = $4", int(status_code), error)

    async def release(self, deliveries, *, at) -> None:
        if not deliveries:
            return
        async with self._pool().acquire() as conn:
            await conn.execute(
                "UPDATE dispatch.deliveries d SET next_attempt_at = $3 FROM unnest($1::uuid[], $2::timestamptz[])"
                " AS x(id, leased_until) WHERE d.dossier_item_id = x.id AND d.next_attempt_at = x.leased_until",
                [d.dossier_item_id for d in deliveries], [d.leased_until for d in deliveries], at,
            )

    async def record_trails(self, polled, progress, *, next_poll_at) -> None:
        statuses = [(d.kenmerk, str(s.code), s.timestamp) for d, trail in polled for s in trail]
        async with self._pool().acquire() as conn, conn.transaction():
            inserted = await conn.fetch(
                "INSERT INTO dispatch.gateway_statuses (kenmerk, statuscode, tijdstempel)"
                " SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING"
                " RETURNING kenmerk, statuscode, tijdstempel",
                [k for k, _, _ in statuses], [c for _, c, _ in statuses], [t for _, _, t in statuses],
            )
            new = {(r["kenmerk"], r["statuscode"], r["tijdstempel"]) for r in inserted}
            updates = []
            for delivery, trail in polled:
                fresh = [s for s in trail if (delivery.kenmerk, str(s.code), s.timestamp) in new]
                result = progress(delivery, fresh)
                await self._append(conn, result.events)
                updates.append((delivery.dossier_item_id, int(result.status_code), result.status_code.is_final))
            await conn.execute(
                "UPDATE dispatch.deliveries d SET status_code = x.code, next_attempt_at = $4, updated_at = now(),"
                " state = CASE WHEN x.final THEN 'final' ELSE d.state END"
                " FROM unnest($1::uuid[], $2::int[], $3::bool[]) AS x(id, code, final) WHERE d.dossier_item_id = x.id",
                [u[0] for u in updates], [u[1] for u in updates], [u[2] for u in updates], next_poll_at,
            )

    async def _update_claimed(self, delivery: Delivery, events: Events, assignments: str, *args) -> bool:
        async with self._pool().acquire() as conn, conn.transaction():
            updated = await conn.fetchval(
                f"UPDATE dispatch.deliveries SET {assignments}, updated_at = now()"
                " WHERE dossier_item_id = $1 AND state = 'to_send' AND next_attempt_at = $2 RETURNING true",
                delivery.dossier_item_id, delivery.leased_until, *args,
            )
            if updated:
                await self._append(conn, events)
        return bool(updated)

    async def _append(self, conn, events: Events) -> None:
        await outbox.append(conn, SCHEMA, [OutboxRecord.of(self._status_topic, e.message_id, e) for e in events])
