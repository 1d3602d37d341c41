"""Dispatch's gateway breaker per process, as operators read it, for `accordeer status` and the dashboard.

Each dispatch process writes its row in ``dispatch.breaker_states`` on every
change and renews it as a heartbeat; a row not renewed for a while is a process
gone (killed, or its host lost), shown as such rather than as its last state, for an hour.
"""

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from shared.db.pool import Connection

GONE_AFTER = 30
"""Seconds without a renewal after which a process counts as gone: three missed heartbeats of 10 s."""
FORGOTTEN_AFTER = 3600
"""Seconds after which a gone process is no longer shown: every restart of dispatch leaves one behind."""
BREAKER_STATES = f"""
SELECT process, state, since, reason, seen_at, seen_at < now() - interval '{GONE_AFTER} seconds' AS gone
FROM dispatch.breaker_states WHERE seen_at > now() - interval '{FORGOTTEN_AFTER} seconds' ORDER BY gone, process
"""


@dataclass(frozen=True)
class ProcessBreaker:
    process: str
    state: str
    """closed, half-open or open."""
    since: datetime
    reason: str | None
    seen_at: datetime
    gone: bool

    def line(self) -> str:
        """One line for a terminal."""
        said = f"{self.state} since {self.since:%Y-%m-%d %H:%M:%S %Z}" + (f" ({self.reason})" if self.reason else "")
        return f"gone, not seen since {self.seen_at:%Y-%m-%d %H:%M:%S %Z}; last {said}" if self.gone else said


async def breaker_states(db: Connection | asyncpg.Pool) -> list[ProcessBreaker]:
    """Every dispatch process's breaker, live ones first; ``db`` is a connection or a pool."""
    return [ProcessBreaker(**dict(row)) for row in await db.fetch(BREAKER_STATES)]
