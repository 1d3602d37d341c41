"""Sending a delivery that stopped at 70 again, as a new attempt: asked for by an operator (`accordeer resend`,
or the button on the portal's operator page).

The request is one call of ``dispatch.request_resend`` (migration 0022), one transaction on dispatch's tables,
so it holds while dispatch is down: the delivery becomes due again with the next attempt's aanleverkenmerk (the
one before as its eerderAanleverkenmerk), and ``dispatch.resends`` keeps who asked, when, and what had failed.
Dispatch's delivery loop sends it like any other delivery and marks the resend sent. The row lock makes a second
request for the same item see the first. The portal may call the function and do nothing else in dispatch's
schema.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import asyncpg

from shared.contracts.status import StatusCode
from shared.db.pool import Connection

REQUEST = "SELECT * FROM dispatch.request_resend($1::uuid, $2)"
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


class Refusal(StrEnum):
    ABSENT = "absent"
    """Not approved yet: dispatch has no delivery of it."""
    UNDER_WAY = "under_way"
    """A resend was asked for and has not been sent yet."""
    RETRYING = "retrying"
    """At 70 for a passing fault: dispatch sends it again by itself."""
    NOT_FAILED = "not_failed"
    """At another status than 70."""


@dataclass(frozen=True)
class NotResent:
    """Why nothing was changed; ``reason`` says it in a sentence for the CLI, the portal words it from ``why``."""

    why: Refusal
    dossier_item_id: str
    status_code: int | None = None
    attempt: int | None = None
    aanleverkenmerk: str | None = None
    last_error: str | None = None
    requested_by: str | None = None
    requested_at: datetime | None = None

    @property
    def reason(self) -> str:
        item = f"dossier item {self.dossier_item_id}"
        match self.why:
            case Refusal.ABSENT:
                return (
                    f"{item} has not reached dispatch (it is not approved yet), so it has no delivery to send again;"
                    " only an item at 70 can be sent again"
                )
            case Refusal.UNDER_WAY:
                assert self.requested_at is not None, "a resend under way was asked for at some time"
                return (
                    f"a resend of {item} is already under way: attempt {self.attempt} as aanleverkenmerk "
                    f"{self.aanleverkenmerk}, asked by {self.requested_by} at "
                    f"{self.requested_at:%Y-%m-%d %H:%M:%S %Z}; nothing changed"
                )
            case Refusal.RETRYING:
                return (
                    f"{item} is at 70 for a passing fault{_why(self.last_error)}; dispatch sends it again by "
                    "itself, so there is nothing to resend"
                )
            case Refusal.NOT_FAILED:
                assert self.status_code is not None, "a delivery has a status"
                return (
                    f"{item} is at {_status(self.status_code)}, not at 70: only a delivery that failed on the way "
                    "can be sent again; nothing changed"
                )


async def request_resend(conn: Connection, dossier_item_id: str, requested_by: str) -> Requested | NotResent:
    """Make the failed delivery of ``dossier_item_id`` due again as its next attempt, audited; or say why not."""
    row = await conn.fetchrow(REQUEST, dossier_item_id, requested_by)
    assert row is not None, "dispatch.request_resend answers with one row"
    if row["outcome"] != "resent":
        fields = {k: row[k] for k in ("status_code", "attempt", "aanleverkenmerk", "last_error", "requested_by")}
        return NotResent(Refusal(row["outcome"]), dossier_item_id, requested_at=row["requested_at"], **fields)
    return Requested(
        row["attempt"], row["aanleverkenmerk"], row["previous_aanleverkenmerk"], row["last_error"], row["requested_at"]
    )


WAITING = """
SELECT d.dossier_item_id::text AS id, d.message_id, d.attempt, d.aanleverkenmerk, d.gateway_code, d.last_error,
       d.updated_at
FROM dispatch.deliveries d WHERE d.state = 'failed' ORDER BY d.updated_at LIMIT $1
"""


async def waiting_for_resend(conn: Connection | asyncpg.Pool, limit: int = 200) -> list[dict[str, Any]]:
    """Deliveries stopped at 70, oldest first: what operators may send again once the cause is fixed."""
    return [dict(r) for r in await conn.fetch(WAITING, limit)]


HISTORY = """
SELECT attempt, aanleverkenmerk, previous_aanleverkenmerk, failure, requested_by, requested_at, sent_at
FROM dispatch.resends WHERE dossier_item_id = $1::uuid ORDER BY attempt
"""


async def resends_of(conn: Connection, dossier_item_id: str) -> list[dict[str, Any]]:
    """Every resend of one dossier item's delivery, first to last: who asked, when, what had failed, when sent."""
    return [dict(r) for r in await conn.fetch(HISTORY, dossier_item_id)]


@dataclass(frozen=True)
class ResendProgress:
    sent: bool
    """Dispatch has delivered the new attempt to the gateway."""
    failed_again: str | None
    """Why the new attempt itself stopped at 70, if it did."""
    final: bool
    """The authority has given its last word on the new attempt (80 or 90)."""
    status: str


async def resend_progress(conn: Connection, dossier_item_id: str, attempt: int) -> ResendProgress:
    row = await conn.fetchrow(PROGRESS, dossier_item_id, attempt)
    assert row is not None, f"no resend of dossier item {dossier_item_id} as attempt {attempt} was recorded"
    failed = row["state"] == "failed" and row["attempt"] == attempt
    return ResendProgress(
        sent=row["sent_at"] is not None,
        failed_again=row["last_error"] if failed else None,
        final=row["state"] == "final" and row["attempt"] == attempt,
        status=_status(row["status_code"]),
    )


def _status(code: int) -> str:
    return f"{code} {StatusCode(code).label}"


def _why(error: str | None) -> str:
    return f": {error}" if error else ""
