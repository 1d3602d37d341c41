"""Sending a delivery that stopped at 70 again, as a new attempt: asked for by an operator (`accordeer resend`).

The request is one transaction on dispatch's tables, so it holds while dispatch is down: the delivery becomes
due again with the next attempt's aanleverkenmerk (the one before as its eerderAanleverkenmerk), and
``dispatch.resends`` keeps who asked, when, and what had failed. Dispatch's delivery loop sends it like any
other delivery and marks the resend sent. The row lock makes a second request for the same item see the first.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.dispatch.domain import aanleverkenmerk
from shared.contracts.status import StatusCode
from shared.db.pool import Connection

DELIVERY = """
SELECT d.state, d.status_code, d.attempt, d.aanleverkenmerk, d.last_error, d.gateway_code,
       r.requested_by, r.requested_at, r.sent_at
FROM dispatch.deliveries d LEFT JOIN dispatch.resends r ON r.dossier_item_id = d.dossier_item_id
                                                       AND r.attempt = d.attempt
WHERE d.dossier_item_id = $1 FOR UPDATE OF d
"""
RESEND = """
UPDATE dispatch.deliveries SET state = 'to_send', attempt = $2, aanleverkenmerk = $3, previous_aanleverkenmerk = $4,
  kenmerk = NULL, attempts = 0, next_attempt_at = now(), sent_at = NULL, next_poll_at = NULL, polls = 0,
  unknown_polls = 0, updated_at = now()
WHERE dossier_item_id = $1
"""
AUDIT = """
INSERT INTO dispatch.resends (dossier_item_id, attempt, aanleverkenmerk, previous_aanleverkenmerk, failure,
                              requested_by)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING requested_at
"""
PROGRESS = """
SELECT d.state, d.status_code, d.attempt, d.kenmerk, d.last_error, r.sent_at
FROM dispatch.deliveries d JOIN dispatch.resends r ON r.dossier_item_id = d.dossier_item_id AND r.attempt = $2
WHERE d.dossier_item_id = $1
"""


@dataclass(frozen=True)
class Requested:
    attempt: int
    aanleverkenmerk: str
    previous_aanleverkenmerk: str
    failure: str | None
    requested_at: datetime


@dataclass(frozen=True)
class NotResent:
    """Why nothing was changed, in a sentence for the operator."""

    reason: str


async def request_resend(conn: Connection, dossier_item_id: str, requested_by: str) -> Requested | NotResent:
    """Make the failed delivery of ``dossier_item_id`` due again as its next attempt, audited; or say why not."""
    async with conn.transaction():
        row = await conn.fetchrow(DELIVERY, dossier_item_id)
        if row is None:
            return NotResent(
                f"dossier item {dossier_item_id} has not reached dispatch (it is not approved yet), so "
                "it has no delivery to send again; only an item at 70 can be sent again"
            )
        if row["state"] == "to_send" and row["requested_by"] and row["sent_at"] is None:
            return NotResent(
                f"a resend of dossier item {dossier_item_id} is already under way: attempt "
                f"{row['attempt']} as aanleverkenmerk {row['aanleverkenmerk']}, asked by "
                f"{row['requested_by']} at {row['requested_at']:%Y-%m-%d %H:%M:%S %Z}; nothing changed"
            )
        if row["state"] == "to_send" and row["status_code"] == StatusCode.SEND_ERROR:
            return NotResent(
                f"dossier item {dossier_item_id} is at 70 for a passing fault{_why(row['last_error'])}; "
                "dispatch sends it again by itself, so there is nothing to resend"
            )
        if row["state"] != "failed":
            return NotResent(
                f"dossier item {dossier_item_id} is at {_status(row['status_code'])}, not at 70: only a "
                "delivery that failed on the way can be sent again; nothing changed"
            )
        attempt = row["attempt"] + 1
        new = aanleverkenmerk(dossier_item_id, attempt)
        await conn.execute(RESEND, dossier_item_id, attempt, new, row["aanleverkenmerk"])
        requested_at = await conn.fetchval(
            AUDIT, dossier_item_id, attempt, new, row["aanleverkenmerk"], row["last_error"], requested_by
        )
    return Requested(attempt, new, row["aanleverkenmerk"], row["last_error"], requested_at)


WAITING = """
SELECT d.dossier_item_id::text AS id, d.message_id, d.attempt, d.aanleverkenmerk, d.gateway_code, d.last_error,
       d.updated_at
FROM dispatch.deliveries d WHERE d.state = 'failed' ORDER BY d.updated_at LIMIT $1
"""


async def waiting_for_resend(conn: Connection, limit: int = 200) -> list[dict[str, Any]]:
    """Deliveries stopped at 70, oldest first: what operators may send again once the cause is fixed."""
    return [dict(r) for r in await conn.fetch(WAITING, limit)]


@dataclass(frozen=True)
class ResendProgress:
    sent: bool
    """Dispatch has delivered the new attempt to the gateway."""
    failed_again: str | None
    """Why the new attempt itself stopped at 70, if it did."""
    status: str


async def resend_progress(conn: Connection, dossier_item_id: str, attempt: int) -> ResendProgress:
    row = await conn.fetchrow(PROGRESS, dossier_item_id, attempt)
    assert row is not None, f"no resend of dossier item {dossier_item_id} as attempt {attempt} was recorded"
    failed = row["state"] == "failed" and row["attempt"] == attempt
    return ResendProgress(
        sent=row["sent_at"] is not None,
        failed_again=row["last_error"] if failed else None,
        status=_status(row["status_code"]),
    )


def _status(code: int) -> str:
    return f"{code} {StatusCode(code).label}"


def _why(error: str | None) -> str:
    return f": {error}" if error else ""
