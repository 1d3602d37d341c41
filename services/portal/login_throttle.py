"""Failed logins, kept in PostgreSQL (``portal.login_failures``) so that every portal process and every restart
sees the same count: at most 5 per user name and 20 per address in 15 minutes, then a wait; wrong passwords and
wrong second-factor codes each have their own count (a right password does not forgive wrong codes). A right password
forgives the user's failures (they still count for the address: one address trying many names stays throttled).

Each failure is logged (user name, address and why; never the password) and counted in
``accordeer_portal_failed_logins_total``, so an operator sees an attack.
"""

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

import asyncpg
from prometheus_client import Counter
from starlette.requests import Request

from services.portal.accounts import Throttle
from services.portal.languages import gettext_for

FAILED_LOGINS = Counter(
    "accordeer_portal_failed_logins_total",
    "Logins the portal refused, by step (password, code) and reason: wrong (a wrong password, an unknown user, a"
    " wrong code) or throttled.",
    ["step", "reason"],
)
log = logging.getLogger(__name__)

PER_USER, PER_ADDRESS, WINDOW = 5, 20, timedelta(minutes=15)

_RECENT = """
SELECT
  (SELECT array_agg(at) FROM (SELECT at FROM portal.login_failures
                              WHERE kind = $6 AND user_name = $1 AND NOT forgiven AND at > now() - $3::interval
                              ORDER BY at DESC LIMIT $4) mine) AS by_user,
  (SELECT array_agg(at) FROM (SELECT at FROM portal.login_failures
                              WHERE kind = $6 AND address = $2 AND at > now() - $3::interval
                              ORDER BY at DESC LIMIT $5) theirs) AS by_address,
  now() AS now
"""
_FAILED = """
WITH gone AS (DELETE FROM portal.login_failures WHERE at < now() - $3::interval)
INSERT INTO portal.login_failures (kind, user_name, address) VALUES ($4, $1, $2)
"""


class LoginThrottle(Protocol):
    kind: str

    async def wait_seconds(self, user: str, address: str) -> float: ...
    async def failed(self, user: str, address: str) -> None: ...
    async def succeeded(self, user: str, address: str) -> None: ...


def client_address(request: Request) -> str:
    return request.client.host if request.client else "-"


async def throttled(throttle: LoginThrottle, request: Request, user: str) -> str | None:
    """Why ``user``, from this request's address, may not try now (the page's sentence, the refusal counted and
    logged); None when they may."""
    wait = await throttle.wait_seconds(user, client_address(request))
    if not wait:
        return None
    refused(throttle.kind, user, client_address(request), "throttled")
    _ = gettext_for(request)
    return _("Te veel mislukte pogingen. Probeer het over %(minutes)s minuten opnieuw.") % {
        "minutes": f"{max(1, math.ceil(wait / 60))}"
    }


def refused(step: str, user: str, address: str, reason: str) -> None:
    """Say that a login was refused: logged and counted, never with the password or the code."""
    FAILED_LOGINS.labels(step, reason).inc()
    log.warning("login refused", extra={"step": step, "user": user, "address": address, "reason": reason})


class PostgresLoginThrottle:
    """``kind``: the step counted, 'password' or 'code' (the second factor's); each has its own count."""

    def __init__(self, pool: Callable[[], asyncpg.Pool], kind: str = "password"):
        self.pool, self.kind = pool, kind

    async def wait_seconds(self, user: str, address: str) -> float:
        """How long this user name, or this address, must wait before trying again; 0 when it may try now."""
        row = await self.pool().fetchrow(_RECENT, user, address, WINDOW, PER_USER, PER_ADDRESS, self.kind)
        assert row is not None, "a SELECT without FROM gives one row"
        waits = [0.0]
        for failures, limit in ((row["by_user"], PER_USER), (row["by_address"], PER_ADDRESS)):
            if failures and len(failures) >= limit:
                waits.append((min(failures) + WINDOW - row["now"]).total_seconds())
        return max(waits)

    async def failed(self, user: str, address: str) -> None:
        await self.pool().execute(_FAILED, user, address, WINDOW, self.kind)
        refused(self.kind, user, address, "wrong")

    async def succeeded(self, user: str, address: str) -> None:
        await self.pool().execute(
            "UPDATE portal.login_failures SET forgiven = true WHERE kind = $1 AND user_name = $2", self.kind, user
        )


@dataclass
class MemoryLoginThrottle:
    """The same rule in one process's memory, for the pages' fast tests."""

    kind: str = "password"
    users: Throttle = field(default_factory=lambda: Throttle(PER_USER, WINDOW.total_seconds()))
    addresses: Throttle = field(default_factory=lambda: Throttle(PER_ADDRESS, WINDOW.total_seconds()))

    async def wait_seconds(self, user: str, address: str) -> float:
        return max(self.users.wait_seconds(user, ""), self.addresses.wait_seconds("", address))

    async def failed(self, user: str, address: str) -> None:
        self.users.failed(user, "")
        self.addresses.failed("", address)
        refused(self.kind, user, address, "wrong")

    async def succeeded(self, user: str, address: str) -> None:
        self.users.succeeded(user, "")
