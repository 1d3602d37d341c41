"""The dashboard's figures besides lag and dead letters, read when the page is asked for, with the queries
``accordeer status`` uses (``shared.operations``). A figure that cannot be read is shown as the reason why, and
the rest of the page still shows.
"""

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

import asyncpg
import httpx

from shared import topology
from shared.operations.statuses import ITEMS_PER_STATUS
from shared.settings import Settings

Figure = TypeVar("Figure")

TIMEOUT = 5.0
SEND_ERRORS = """
SELECT count(*) AS waiting, min(updated_at) AS since,
       (array_agg(last_error ORDER BY updated_at DESC))[1] AS last_error,
       (array_agg(gateway_code ORDER BY updated_at DESC))[1] AS last_code
FROM dispatch.deliveries WHERE state = 'to_send' AND status_code = 70
"""


@dataclass(frozen=True)
class Gateway:
    url: str
    answer: int | None
    """The HTTP status its health check answered with; None when it could not be reached."""
    failure: str | None
    """Why it could not be reached."""
    waiting: int
    """Deliveries at 70 (send error) that dispatch will send again."""
    since: object | None
    last_error: str | None
    last_code: str | None = None
    """Digipoort's code in its last answer, when it gave one."""

    @property
    def up(self) -> bool:
        return self.answer == 200


@dataclass(frozen=True)
class Unreadable:
    """A figure that could not be read: ``what`` (a catalog text) and why not."""

    what: str
    why: str


async def shown(work: Awaitable[Figure], what: str) -> Figure | Unreadable:
    """The figure, or what stopped it from being read."""
    try:
        return await asyncio.wait_for(work, TIMEOUT * 2)
    except Exception as exc:
        return Unreadable(what, f"{type(exc).__name__}: {exc}")


async def items_per_status(pool: asyncpg.Pool) -> dict[int, int]:
    return {r["status_code"]: r["items"] for r in await pool.fetch(ITEMS_PER_STATUS)}


async def outbox_backlog(pool: asyncpg.Pool) -> dict[str, int]:
    """Rows each service has written and its relay has not published yet."""
    names = [service.name for service in topology.SERVICES]
    return {name: await pool.fetchval(f"SELECT count(*) FROM {name}.outbox") for name in names}


async def gateway(settings: Settings, pool: asyncpg.Pool) -> Gateway:
    url = settings.gateway_url.rstrip("/")
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            answer = await client.get(f"{url}/health")
        status, failure = answer.status_code, None
    except httpx.TransportError as exc:
        status, failure = None, type(exc).__name__
    row = await pool.fetchrow(SEND_ERRORS)
    assert row is not None, "an aggregate without GROUP BY gives one row"
    return Gateway(url, status, failure, row["waiting"], row["since"], row["last_error"], row["last_code"])
