"""Deliveries in PostgreSQL (schema ``dispatch``): claimed with a lease, so several processes share the work."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.dispatch.domain import GatewayStatus


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


class DeliveryRepository:
    """Every method runs on the connection given, inside the caller's transaction when there is one."""

    def __init__(self, conn):
        self.conn = conn

    async def add(self, rows: list[tuple[str, str, str, str, dict, int]]) -> None:
        """Rows of (dossier_item_id, message_id, source, aanleverkenmerk, message, status_code); repeats ignored."""
        await self.conn.executemany(
            "INSERT INTO dispatch.deliveries (dossier_item_id, message_id, source, aanleverkenmerk, request, state,"
            " status_code) VALUES ($1, $2, $3, $4, $5, 'to_send', $6) ON CONFLICT (dossier_item_id) DO NOTHING",
            rows,
        )

    async def claim_due(self, *, state: str, limit: int, lease: timedelta) -> list[Delivery]:
        """Take up to ``limit`` due deliveries and push their due time out by ``lease``: if this process dies,
        another one takes them over when the lease ends."""
        rows = await self.conn.fetch(
            "UPDATE dispatch.deliveries d SET next_attempt_at = now() + $3, updated_at = now()"
            " FROM (SELECT dossier_item_id FROM dispatch.deliveries WHERE state = $1 AND next_attempt_at <= now()"
            "       ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED) due"
            " WHERE d.dossier_item_id = due.dossier_item_id"
            " RETURNING d.dossier_item_id, d.message_id, d.source, d.aanleverkenmerk, d.request, d.attempts,"
            " d.status_code, d.kenmerk",
            state, limit, lease,
        )
        return [Delivery(dossier_item_id=str(r["dossier_item_id"]), message_id=r["message_id"], source=r["source"],
                         aanleverkenmerk=r["aanleverkenmerk"], message=r["request"], attempts=r["attempts"],
                         status_code=r["status_code"], kenmerk=r["kenmerk"]) for r in rows]

    async def mark_sent(self, dossier_item_id: str, kenmerk: str, *, first_poll_at: datetime) -> None:
        await self.conn.execute(
            "UPDATE dispatch.deliveries SET state = 'sent', kenmerk = $2, status_code = 60, attempts = attempts + 1,"
            " next_attempt_at = $3, last_error = NULL, updated_at = now() WHERE dossier_item_id = $1",
            dossier_item_id, kenmerk, first_poll_at,
        )

    async def mark_retry(self, dossier_item_id: str, *, error: str, retry_at: datetime, status_code: int) -> None:
        await self.conn.execute(
            "UPDATE dispatch.deliveries SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3,"
            " status_code = $4, updated_at = now() WHERE dossier_item_id = $1",
            dossier_item_id, error, retry_at, status_code,
        )

    async def mark_polled(self, dossier_item_id: str, *, status_code: int, final: bool, next_poll_at: datetime) -> None:
        await self.conn.execute(
            "UPDATE dispatch.deliveries SET status_code = $2, state = CASE WHEN $3 THEN 'final' ELSE state END,"
            " next_attempt_at = $4, updated_at = now() WHERE dossier_item_id = $1",
            dossier_item_id, status_code, final, next_poll_at,
        )

    async def mark_final(self, dossier_item_id: str, *, status_code: int, error: str) -> None:
        await self.conn.execute(
            "UPDATE dispatch.deliveries SET state = 'final', status_code = $2, last_error = $3, updated_at = now()"
            " WHERE dossier_item_id = $1",
            dossier_item_id, status_code, error,
        )

    async def new_statuses(self, kenmerk: str, statuses: list[GatewayStatus]) -> list[GatewayStatus]:
        """Remember the trail's statuses; returns those not seen before, in trail order."""
        fresh = []
        for status in statuses:
            inserted = await self.conn.fetchval(
                "INSERT INTO dispatch.gateway_statuses (kenmerk, statuscode, tijdstempel) VALUES ($1, $2, $3)"
                " ON CONFLICT DO NOTHING RETURNING 1",
                kenmerk, str(status.code), status.timestamp,
            )
            if inserted:
                fresh.append(status)
        return fresh
