"""Keeps a service's copy of the directory up to date, and lets it wait until the copy is current.

Every process reads all of ``directory.parties`` (no consumer group) and writes
what it reads into its service's schema. Before a use case judges a batch
against the directory it awaits ``caught_up()``: the copy then holds every
directory change that was published before the batch was judged. So a party
published before a declaration is always known when that declaration is
judged; one published after it may not be, and the declaration is refused
(and can be replayed from the dead-letter topic once the party is there).
"""

import asyncio

import asyncpg
import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from shared.directory.records import UnreadableParty, party_change
from shared.directory.store import PartyChange, advance_positions, apply_changes, positions
from shared.kafka.admin import partitions_of

log = structlog.get_logger(__name__)


class DirectoryNotCurrent(RuntimeError):
    """The copy did not reach the topic's end in time: the batch is retried (an infrastructure failure)."""


class DirectoryMirror:
    def __init__(self, bootstrap_servers: str, topic: str, pool: asyncpg.Pool, schema: str, *, client_id: str):
        self.bootstrap_servers = bootstrap_servers
        self.topic = topic
        self.pool = pool
        self.schema = schema
        self.client_id = client_id
        self._consumer: AIOKafkaConsumer | None = None
        self._applied: dict[int, int] = {}
        self._progress = asyncio.Condition()
        self._ready = asyncio.Event()

    async def run(self) -> None:
        """Until cancelled; reconnects after broker or database errors."""
        while True:
            try:
                await self._follow()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("directory mirror failed; reading again", topic=self.topic)
                await asyncio.sleep(2)

    async def caught_up(self, timeout: float = 30.0) -> None:
        """Return once the copy holds every record the topic has now."""
        await asyncio.wait_for(self._ready.wait(), timeout)
        assert self._consumer is not None
        partitions = [TopicPartition(self.topic, p) for p in self._applied]
        ends = await self._consumer.end_offsets(partitions)
        wanted = {tp.partition: end for tp, end in ends.items()}
        async with self._progress:
            try:
                await asyncio.wait_for(self._progress.wait_for(lambda: self._reached(wanted)), timeout)
            except TimeoutError:
                raise DirectoryNotCurrent(f"the copy of {self.topic} did not catch up within {timeout:.0f}s") from None

    def _reached(self, wanted: dict[int, int]) -> bool:
        return all(self._applied.get(p, 0) >= end for p, end in wanted.items())

    async def _follow(self) -> None:
        partitions = await partitions_of(self.bootstrap_servers, self.topic)
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap_servers, enable_auto_commit=False,
                                    client_id=self.client_id, isolation_level="read_committed",
                                    auto_offset_reset="earliest")
        await consumer.start()
        self._consumer = consumer
        try:
            consumer.assign(partitions)
            async with self.pool.acquire() as conn:
                stored = await positions(conn, self.schema, self.topic)
            for tp in partitions:
                consumer.seek(tp, stored.get(tp.partition, 0))
            written = {tp.partition: stored.get(tp.partition, 0) for tp in partitions}
            await self._record_progress(written)
            self._ready.set()
            while True:
                batches = await consumer.getmany(timeout_ms=500, max_records=1000)
                # Positions, not last offsets + 1: compaction leaves gaps, and a compacted-away head moves the
                # start of a partition past offsets no record holds any more.
                reached = {tp.partition: await consumer.position(tp) for tp in partitions}
                if batches or reached != written:
                    await self._apply(batches, reached)
                    written = reached
                await self._record_progress(reached)
        finally:
            self._ready.clear()
            self._consumer = None
            await consumer.stop()

    async def _apply(self, batches, reached: dict[int, int]) -> None:
        changes = [change for records in batches.values() for change in map(_change, records) if change]
        async with self.pool.acquire() as conn, conn.transaction():
            await apply_changes(conn, self.schema, changes)
            await advance_positions(conn, self.schema, self.topic, reached)

    async def _record_progress(self, next_offsets: dict[int, int]) -> None:
        async with self._progress:
            for partition, offset in next_offsets.items():
                self._applied[partition] = max(self._applied.get(partition, 0), offset)
            self._progress.notify_all()


def _change(record) -> PartyChange | None:
    try:
        return party_change(record)
    except UnreadableParty as error:
        log.error("unreadable directory record skipped", error=str(error))
        return None
