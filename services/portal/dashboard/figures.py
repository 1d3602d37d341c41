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
       (array_agg(last_error ORDER BY updated_at DESC))[1] AS last_error
FROM dispatch.deliveries WHERE state = 'to_send' AND status_code = 70
"""


@dataclass(frozen=True)
class Gateway:
    health: str
    up: bool
    waiting: int
    """Deliveries at 70 (send error) that dispatch will send again."""
    since: object | None
    last_error: str | None


async def shown(work: Awaitable[Figure], what: str) -> Figure | str:
    """The figure, or a sentence saying why it is not there."""
    try:
        return await asyncio.wait_for(work, TIMEOUT * 2)
    except Exception as exc:
        return f"{what} onbekend: {type(exc).__name__}: {exc}"


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
        health, up = (
            (f"bereikbaar ({url})", True)
            if answer.status_code == 200
            else (f"antwoordt HTTP {answer.status_code} ({url})", False)
        )
    except httpx.TransportError as exc:
        health, up = f"onbereikbaar ({url}: {type(exc).__name__})", False
    row = await pool.fetchrow(SEND_ERRORS)
    assert row is not None, "an aggregate without GROUP BY gives one row"
    return Gateway(health, up, row["waiting"], row["since"], row["last_error"])
