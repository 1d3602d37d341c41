"""The dashboard's figures besides lag, read when the page is asked for, each from the code the CLI uses.

Items per status is ``accordeer status``'s query; dead letters are read and
chosen with ``accordeer dlq``'s functions. A figure that cannot be read is
shown as the reason why, and the rest of the page still shows.
"""

import asyncio
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

import asyncpg
import httpx

from accordeer.dead_letter_tools import DeadLetter, dead_letter_topics, read_dead_letters
from accordeer.localstack.stack import SERVICES
from accordeer.system_status import ITEMS_PER_STATUS
from shared.settings import Settings

Figure = TypeVar("Figure")

TIMEOUT = 5.0
SEND_ERRORS = """
SELECT count(*) AS waiting, min(updated_at) AS since,
       (array_agg(last_error ORDER BY updated_at DESC))[1] AS last_error
FROM dispatch.deliveries WHERE state = 'to_send' AND status_code = 70
"""


@dataclass(frozen=True)
class DeadLetterTopic:
    topic: str
    replay_to: str
    letters: tuple[DeadLetter, ...]

    @property
    def reasons(self) -> list[tuple[str, int]]:
        """Each reason code with its count, most frequent first."""
        return Counter(d.reason_code or "onbekend" for d in self.letters).most_common()

    def newest(self, count: int = 10) -> list[tuple[DeadLetter, datetime]]:
        """The latest ``count`` records with when they were dead-lettered, newest first."""
        return [
            (d, datetime.fromtimestamp(d.timestamp / 1000, UTC))
            for d in sorted(self.letters, key=lambda d: -d.timestamp)[:count]
        ]


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


async def dead_letters(settings: Settings) -> list[DeadLetterTopic]:
    found = []
    for topic, target in dead_letter_topics(settings.topics).items():
        letters = await read_dead_letters(settings.kafka_bootstrap_servers, topic, timeout=TIMEOUT)
        found.append(DeadLetterTopic(topic, target, tuple(letters)))
    return found


async def items_per_status(pool: asyncpg.Pool) -> dict[int, int]:
    return {r["status_code"]: r["items"] for r in await pool.fetch(ITEMS_PER_STATUS)}


async def outbox_backlog(pool: asyncpg.Pool) -> dict[str, int]:
    """Rows each service has written and its relay has not published yet."""
    return {service: await pool.fetchval(f"SELECT count(*) FROM {service}.outbox") for service in SERVICES}


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
