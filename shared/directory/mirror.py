"""Keeps a service's copy of the directory up to date, and lets it wait until the copy is current.

Every process reads all of ``directory.parties`` (no consumer group) and writes
what it reads into its service's schema. Before a use case judges a batch
against the directory it awaits ``caught_up()``: the copy then holds every
directory change that was published before the batch was judged. So a party
published before a declaration is always known when that declaration is
judged; one published after it may not be, and the declaration is refused
(and can be replayed from the dead-letter topic once the party is there).

A record that is not a party (nor a tombstone) goes to ``directory.parties.dlq``
through the service's outbox, in the transaction that applies the batch, once
per service: with no consumer group, every process of every service reads it,
and each service's copy goes without it, so each service says so (header
``accordeer-refused-by``: the service) and no more than once, because the
offset is claimed in the service's inbox under ``directory-mirror``. The key
stays the party's id, so a replay lands on the same compacted key.

So does a party that breaks a rule between parties (shared/directory/rules.py,
the rule `accordeer directory load` and `set` check before they publish: a
portal user is one contact of one party), written to the topic some other way:
judged against the copy and the changes before it, it is refused with its
reason (reason code shared_portal_user) and its party stays as it was. Records
on different partitions are read in no fixed order, so of two parties claiming
one portal user at once, each service keeps the one it read first; a corrected
record (`directory load` or `set`) settles it the same everywhere.
"""

import asyncio
import contextlib

import asyncpg
import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from shared import dead_letters
from shared.db import outbox
from shared.db.inbox import claim_unapplied
from shared.dead_letters import UNREADABLE
from shared.directory.records import UnreadableParty, party_change
from shared.directory.rules import SHARED_PORTAL_USER, refused_claims
from shared.directory.store import PartyChange, advance_positions, apply_changes, holding_portal_users, positions
from shared.kafka.admin import partitions_of
from shared.kafka.idle import FETCH_WAIT_MS, FETCHER_WAKE_MS
from shared.kafka.poison import InfrastructureFailure
from shared.kafka.producer import METADATA_MAX_AGE_MS
from shared.kafka.security import client_options
from shared.loops import run_forever

log = structlog.get_logger(__name__)

DEAD_LETTERING_CONSUMER = "directory-mirror"
"""Name in the service's inbox_positions of how far its unreadable directory records are dead-lettered."""


class DirectoryNotCurrent(InfrastructureFailure):
    """The copy did not reach the topic's end in time: the batch is retried (an infrastructure failure)."""


class DirectoryMirror:
    def __init__(
        self,
        bootstrap_servers: str,
        topic: str,
        pool: asyncpg.Pool,
        schema: str,
        *,
        client_id: str,
        fetch_max_wait_ms: int = FETCH_WAIT_MS,
    ):
        """``fetch_max_wait_ms``: how long the follower's fetch waits at the broker for a change (aiokafka's)."""
        self.fetch_max_wait_ms = fetch_max_wait_ms
        self.bootstrap_servers = bootstrap_servers
        self.topic = topic
        self.pool = pool
        self.schema = schema
        self.client_id = client_id
        self._ends: AIOKafkaConsumer | None = None
        self._applied: dict[int, int] = {}
        self._progress = asyncio.Condition()
        self._ready = asyncio.Event()

    async def run(self) -> None:
        """Until cancelled; reconnects after broker or database errors."""
        await run_forever(f"following the directory ({self.topic})", self._follow, pause=2)

    async def caught_up(self, timeout: float = 30.0) -> None:
        """Return once the copy holds every record the topic has now."""
        async with asyncio.timeout(timeout):  # not wait_for, which can swallow a cancellation on Python 3.11
            await self._ready.wait()
        assert self._ends is not None
        partitions = [TopicPartition(self.topic, p) for p in self._applied]
        ends = await self._ends.end_offsets(partitions)
        wanted = {tp.partition: end for tp, end in ends.items()}
        async with self._progress:
            try:
                async with asyncio.timeout(timeout):
                    await self._progress.wait_for(lambda: self._reached(wanted))
            except TimeoutError:
                raise DirectoryNotCurrent(f"the copy of {self.topic} did not catch up within {timeout:.0f}s") from None

    def _reached(self, wanted: dict[int, int]) -> bool:
        return all(self._applied.get(p, 0) >= end for p, end in wanted.items())

    async def _follow(self) -> None:
        partitions = await partitions_of(self.bootstrap_servers, self.topic)
        consumer, ends = [
            AIOKafkaConsumer(
                bootstrap_servers=self.bootstrap_servers,
                enable_auto_commit=False,
                client_id=self.client_id,
                isolation_level="read_committed",
                auto_offset_reset="earliest",
                metadata_max_age_ms=METADATA_MAX_AGE_MS,
                fetch_max_wait_ms=self.fetch_max_wait_ms,
                consumer_timeout_ms=FETCHER_WAKE_MS,
                **client_options(),
            )
            for _ in range(2)
        ]
        # caught_up() asks for the ends on a client of its own: on the follower's connection the broker would
        # answer only after the fetch waiting there (up to fetch_max_wait_ms), and every batch of intake and
        # workflow would wait for that (half of FETCH_WAIT_MS on average, at every hop).
        async with contextlib.AsyncExitStack() as started:
            for client in (consumer, ends):
                await client.start()
                started.push_async_callback(client.stop)
            self._ends = ends
            await self._follow_with(consumer, partitions)

    async def _follow_with(self, consumer: AIOKafkaConsumer, partitions: list[TopicPartition]) -> None:
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
                # A record returns the call at once; the timeout only paces an idle follower (FETCH_WAIT_MS says why).
                batches = await consumer.getmany(timeout_ms=FETCH_WAIT_MS, max_records=1000)
                # Positions, not last offsets + 1: compaction leaves gaps, and a compacted-away head moves the
                # start of a partition past offsets no record holds any more.
                reached = {tp.partition: await consumer.position(tp) for tp in partitions}
                if batches or reached != written:
                    await self._apply(batches, reached)
                    written = reached
                await self._record_progress(reached)
        finally:
            self._ready.clear()
            self._ends = None

    async def _apply(self, batches: dict[TopicPartition, list[ConsumerRecord]], reached: dict[int, int]) -> None:
        read = [(record, _change(record)) for records in batches.values() for record in records]
        record_at = {(record.partition, record.offset): record for record, _ in read}
        refusals = [(record, UNREADABLE, error) for record, error in read if isinstance(error, str)]
        async with self.pool.acquire() as conn, conn.transaction():
            # One process of the service at a time judges the directory's rules against its copy and applies:
            # two processes must not each let one of two parties claiming one portal user in.
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"{self.schema}.directory")
            changes = [change for _, change in read if isinstance(change, PartyChange)]
            users = [c.portal_user for ch in changes if ch.party for c in ch.party.contacts if c.portal_user]
            current = await holding_portal_users(conn, self.schema, users) if users else {}
            changes, refused = refused_claims(current, changes)
            for change, why in refused:
                log.error("directory record refused", organisation_person_id=change.organisation_person_id, why=why)
            refusals += [(record_at[(c.partition, c.offset)], SHARED_PORTAL_USER, why) for c, why in refused]
            await apply_changes(conn, self.schema, changes)
            await advance_positions(conn, self.schema, self.topic, reached)
            if refusals:
                first_time = {
                    (r.partition, r.offset)
                    for r in await claim_unapplied(
                        conn, self.schema, DEAD_LETTERING_CONSUMER, [record for record, _, _ in refusals]
                    )
                }
                await outbox.append(
                    conn,
                    self.schema,
                    [
                        dead_letters.dead_letter(
                            f"{record.topic}.dlq", record, reason_code=code, reason=why[:1000], refused_by=self.schema
                        )
                        for record, code, why in refusals
                        if (record.partition, record.offset) in first_time
                    ],
                )

    async def _record_progress(self, next_offsets: dict[int, int]) -> None:
        async with self._progress:
            for partition, offset in next_offsets.items():
                self._applied[partition] = max(self._applied.get(partition, 0), offset)
            self._progress.notify_all()


def _change(record: ConsumerRecord) -> PartyChange | str:
    """The change, or why the record is not one."""
    try:
        return party_change(record)
    except UnreadableParty as error:
        log.error("unreadable directory record dead-lettered", error=str(error))
        return str(error)
