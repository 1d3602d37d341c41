"""Forgetting idempotency keys once no duplicate can reach them any more.

A service remembers the id of each action it decided (``workflow.applied_actions``), and the portal each action a
person sent (``portal.sent_actions``), so that the same action sent twice is answered once. Such a key is needed
only while a second copy can still arrive: a record is redelivered from Kafka at most as long as the topic keeps
it (seven days by default), and a person's second click comes within seconds. After ``keep`` (30 days by default,
``ACCORDEER_ACTION_KEY_RETENTION_DAYS``) the keys go, an hour's worth at a time. An action older than that which
still arrived would be judged on the item's state as any stale action is ("a stale action never moves an item
twice", DOMAIN.md); only its answer would say stale instead of already applied.

Records themselves need no keys: the inbox keeps one position per partition and consumer (shared/db/inbox.py),
a table of fixed size.
"""

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
import structlog

log = structlog.get_logger(__name__)

FORGET_EVERY_SECONDS = 3600.0
"""Once an hour: the purge wakes an idle process 24 times a day."""


@dataclass(frozen=True)
class KeyRetention:
    table: str
    """schema.table of the keys."""
    stamped: str
    """Its column with when the key was written (indexed)."""
    keep: timedelta

    async def forget_expired(self, pool: asyncpg.Pool, batch: int = 10_000) -> int:
        """Delete the keys older than ``keep``, ``batch`` rows per transaction; how many went."""
        forgotten = 0
        while True:
            async with pool.acquire() as conn:
                status = await conn.execute(
                    f"DELETE FROM {self.table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM {self.table}"
                    f" WHERE {self.stamped} < now() - $1::interval LIMIT $2))",
                    self.keep,
                    batch,
                )
            deleted = int(status.split()[-1])
            forgotten += deleted
            if deleted < batch:
                return forgotten


async def keep_forgetting(
    pool: asyncpg.Pool, retentions: list[KeyRetention], every: float = FORGET_EVERY_SECONDS
) -> None:
    """For the life of the process: forget expired keys at start and then every ``every`` seconds. A failed
    round (PostgreSQL restarting) is logged and tried again at the next."""
    while True:
        for retention in retentions:
            try:
                if forgotten := await retention.forget_expired(pool):
                    log.info("forgot expired keys", table=retention.table, forgotten=forgotten)
            except (OSError, TimeoutError, asyncpg.PostgresError) as error:
                log.warning("could not forget expired keys", table=retention.table, error=str(error))
        await asyncio.sleep(every)
