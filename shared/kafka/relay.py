"""The outbox relay: publishes a service's outbox rows to Kafka in id order, then deletes them.

One relay per service schema is active at a time (a PostgreSQL advisory lock
held on its connection), so per-key order is kept across processes; when that
process dies its connection closes and another process takes over. A crash
after publishing but before deleting republishes those rows: consumers are
idempotent, and status events carry an event_id for that reason.
"""

import asyncio
import json
import logging

import asyncpg
from aiokafka import AIOKafkaProducer

from shared import metrics

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(self, database_url: str, schema: str, producer: AIOKafkaProducer, *, batch_size: int = 1000,
                 idle_wait: float = 1.0):
        self.database_url = database_url
        self.schema = schema
        self.producer = producer
        self.batch_size = batch_size
        self.idle_wait = idle_wait
        self._wake = asyncio.Event()
        self.published = 0

    async def run(self) -> None:
        """Run until cancelled; reconnects after database or broker errors."""
        while True:
            try:
                await self._run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay for %s failed; retrying", self.schema)
                await asyncio.sleep(2)

    async def _run_once(self) -> None:
        conn = await asyncpg.connect(self.database_url)
        try:
            while not await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", f"{self.schema}.outbox"):
                await asyncio.sleep(self.idle_wait)
            await conn.add_listener(f"{self.schema}_outbox", lambda *_: self._wake.set())
            while True:
                self._wake.clear()
                if await self._publish_batch(conn) < self.batch_size:
                    try:
                        await asyncio.wait_for(self._wake.wait(), self.idle_wait)
                    except TimeoutError:
                        pass
        finally:
            await conn.close()

    async def _publish_batch(self, conn: asyncpg.Connection) -> int:
        rows = await conn.fetch(
            f"SELECT id, topic, key, value, headers FROM {self.schema}.outbox ORDER BY id LIMIT $1", self.batch_size
        )
        if len(rows) == self.batch_size or not rows:
            metrics.OUTBOX_BACKLOG.labels(service=self.schema).set(
                await conn.fetchval(f"SELECT count(*) FROM {self.schema}.outbox"))
        if not rows:
            return 0
        records = [(r["topic"], r["value"], r["key"], json.loads(r["headers"])) for r in rows]
        deliveries = [
            await self.producer.send(topic, value=value, key=key, headers=[(k, v.encode()) for k, v in headers])
            for topic, value, key, headers in records
        ]
        await asyncio.gather(*deliveries)
        # By id, not by range: a transaction that took a lower id may commit later.
        await conn.execute(f"DELETE FROM {self.schema}.outbox WHERE id = ANY($1::bigint[])", [r["id"] for r in rows])
        for topic, value, _, headers in records:
            metrics.observe_published(topic, value, headers)
        self.published += len(rows)
        return len(rows)

