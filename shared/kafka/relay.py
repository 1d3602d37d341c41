"""The outbox relay: publishes a service's outbox rows to Kafka in id order, then deletes them.

Within a batch the status events go first and are acknowledged before the other rows are sent: those
other rows (dossier items, approved messages, tasks) set the next service going, whose own status events
must never reach ``messages.status`` before the ones that led to them.

The outbox is split into lanes (``shared.db.outbox.LANES``, by the message id of the declaration a row is about),
and each lane is relayed by one process at a time, the holder of its row in ``relay_leases`` (``shared.db.lease``):
per-key order is kept across processes, and N processes of a service publish in parallel. A relay reads the outbox
when a commit's NOTIFY (a trigger on the outbox) says rows were added, when lanes were taken over and at its start;
never on a timer, so an idle relay costs a renewal and a rebalance per ``renew_seconds``. Every ``renew_seconds`` a
relay renews its lanes on the connection it relays with and, between batches, takes free lanes up to its fair share
or gives back those beyond it. A lane whose holder's session is gone (it crashed) is taken at once; one not renewed
for ``lease_seconds`` (the holder is frozen: SIGSTOP, a long pause, a network stall) is taken by ending the holder's
PostgreSQL session, with the next token. So a frozen process delays its lanes' events by about ``lease_seconds``,
not for as long as it stays frozen.

The old holder, when it resumes, finds its connection gone (and its tokens stale): it cannot delete rows, stops
relaying and starts again with no lanes. Before each batch it checks that its last renewal is recent, or renews
first, so after a freeze it does not start publishing a new batch. What it cannot undo: a batch it had already
handed to Kafka just before it froze may reach Kafka after the new holder has published those rows too. Such a
record is published twice; consumers are idempotent and status events carry an event_id for that reason. A crash
after publishing but before deleting republishes rows in the same way; a planned stop (SIGTERM) settles its batch
first.

A row Kafka refuses for good (``shared.kafka.relay_refusals``: too large, unknown topic, invalid record) is
moved to ``<schema>.outbox_set_aside`` with the reason, in the transaction that deletes the published rows,
counted and logged once; the rows behind it go on. Transient failures keep the rows and are retried.
"""

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import asyncpg
import msgspec
from aiokafka import AIOKafkaProducer
from aiokafka.cluster import ClusterMetadata
from aiokafka.errors import KafkaError
from aiokafka.structs import RecordMetadata
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared import metrics
from shared.db.lease import LeaseLost, RelayLanes, application_name
from shared.db.outbox import LANES, Refusal, settle
from shared.kafka.relay_refusals import UNKNOWN_TOPIC, refusal_reason
from shared.loops import run_forever

log = logging.getLogger(__name__)


# A session ended under the relay can surface as any of these, depending on what asyncpg was doing at the time.
_SESSION_LOST = (
    LeaseLost,
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    ConnectionError,
)


class RelaySettings(BaseSettings):
    """How quickly a frozen relay is replaced (environment: ``ACCORDEER_RELAY_...``)."""

    model_config = SettingsConfigDict(env_prefix="ACCORDEER_RELAY_", env_file=".env", extra="ignore")

    lease_seconds: float = Field(5.0, gt=0, description="A relay lane not renewed for this long is taken over.")
    renew_seconds: float = Field(
        2.0,
        gt=0,
        description="How often a relay renews its lanes, and looks whether it should take or give back lanes. Each "
        "is a statement: at 1 s they were a third of an idle service's wake-ups; at 2 s a frozen relay's lanes are "
        "taken over 5-7 s after it froze.",
    )
    retry_seconds: float = Field(2.0, gt=0, description="Wait before reconnecting after a database or broker error.")

    @model_validator(mode="after")
    def _renewed_within_lease(self) -> "RelaySettings":
        if self.renew_seconds * 2 > self.lease_seconds:
            raise ValueError("relay renew_seconds must be at most half of lease_seconds")
        return self


class OutboxRelay:
    def __init__(
        self,
        database_url: str,
        schema: str,
        new_producer: Callable[[], AIOKafkaProducer],
        *,
        batch_size: int = 1000,
        settings: RelaySettings | None = None,
        holder: str | None = None,
        reports_first: Callable[[str], bool] = lambda topic: False,
    ):
        """``new_producer`` makes an idempotent producer (not started): the relay starts one once it holds a
        lane, and replaces it after Kafka refused a batch, which leaves an idempotent producer's sequence broken.
        Rows on the topics ``reports_first`` picks (the status topics) of a batch are on Kafka before its other
        rows."""
        self.database_url = database_url
        self.schema = schema
        self._new_producer = new_producer
        self.producer: AIOKafkaProducer | None = None
        self.batch_size = batch_size
        self.reports_first = reports_first
        self.settings = settings or RelaySettings()
        self.lanes = RelayLanes(
            schema,
            holder or f"{socket.gethostname()}:{os.getpid()}",
            lanes=LANES,
            lease_seconds=self.settings.lease_seconds,
        )
        metrics.RELAY_LANES.labels(service=schema).set(LANES)
        self._lanes_held = metrics.RELAY_LANES_HELD.labels(service=schema)
        self._wake = asyncio.Event()
        # The heartbeat and the relaying share one connection (one session to fence): one statement at a time.
        self._db = asyncio.Lock()
        self._renewed_at = 0.0
        self._sequence_broken = False
        self._rebalanced_at = 0.0
        self.published = 0
        self.set_aside = 0

    @property
    def _started_producer(self) -> AIOKafkaProducer:
        """The producer, which a relay holding a lane (the only time it sends) has started."""
        assert self.producer is not None, "the relay sends only while it holds a lane, with its producer started"
        return self.producer

    @property
    def holding(self) -> bool:
        """Whether this relay holds any lane now."""
        return bool(self.lanes.held)

    async def run(self) -> None:
        """Run until cancelled; reconnects after database or broker errors, and relays only the lanes it holds.
        A lost session is expected after a takeover (this session was ended) or a database restart: no traceback."""

        async def one_round() -> float:
            await self._run_once()
            return self.settings.retry_seconds

        await run_forever(
            f"outbox relay for {self.schema}", one_round, pause=self.settings.retry_seconds, transient=_SESSION_LOST
        )

    async def _run_once(self) -> None:
        conn = await asyncpg.connect(
            self.database_url, server_settings={"application_name": application_name(self.schema)}
        )
        try:
            self._renewed_at = self._rebalanced_at = 0.0
            await conn.add_listener(f"{self.schema}_outbox", lambda *_: self._wake.set())
            await _first_to_fail(self._heartbeat(conn), self._relay(conn))
        finally:
            self.lanes.held.clear()
            self._lanes_held.set(0)
            conn.terminate()
            await self._stop_producer()

    async def _start_producer(self) -> None:
        await self._stop_producer()
        self.producer = self._new_producer()
        try:
            await self.producer.start()
        except BaseException:
            await self._stop_producer()
            raise

    async def _stop_producer(self) -> None:
        producer, self.producer = self.producer, None
        if producer is not None:
            await producer.stop()

    async def _heartbeat(self, conn: asyncpg.Connection) -> None:
        while True:
            await asyncio.sleep(self.settings.renew_seconds)
            async with self._db:
                try:
                    async with asyncio.timeout(self.settings.lease_seconds):  # not wait_for: see _relay
                        await self.lanes.renew(conn)
                except TimeoutError as error:
                    raise LeaseLost(
                        f"{self.schema} relay lanes not renewed within {self.settings.lease_seconds}s"
                    ) from error
            self._renewed_at = time.monotonic()
            self._lanes_held.set(len(self.lanes.held))

    async def _relay(self, conn: asyncpg.Connection) -> None:
        """Reads the outbox when there may be something in it: at the start, when a commit notified, when a full
        batch leaves more behind, and when lanes were taken over. An idle relay only renews and rebalances."""
        more = True
        while True:
            if time.monotonic() - self._rebalanced_at >= self.settings.renew_seconds:
                more = await self._rebalance(conn) or more
            if more or self._wake.is_set():
                self._wake.clear()
                more = self.holding and (
                    await self._settled_even_when_stopping(self._publish_batch(conn)) >= self.batch_size
                )
            if not more:
                # Until a commit notifies or the next rebalance is due: an idle relay wakes once per renew_seconds.
                due = self._rebalanced_at + self.settings.renew_seconds - time.monotonic()
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation that meets
                # the wake-up, and the relay would go on after its process was told to stop.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(max(due, 0.0)):
                        await self._wake.wait()

    async def _rebalance(self, conn: asyncpg.Connection) -> bool:
        """Between batches: take lanes that need a relay, give back those beyond this relay's share. Returns
        whether lanes were taken (their rows may be waiting)."""
        async with self._db:
            taken, given_back = await self.lanes.rebalance(conn)
        self._rebalanced_at = time.monotonic()
        self._lanes_held.set(len(self.lanes.held))
        if taken:
            if self.producer is None:
                await self._start_producer()
            metrics.RELAY_LEASES_TAKEN.labels(service=self.schema).inc(len(taken))
        if taken or given_back:
            log.info(
                "outbox relay for %s holds lanes %s (took %s, gave back %s)",
                self.schema,
                sorted(self.lanes.held),
                taken,
                given_back,
            )
        return bool(taken)

    async def _settled_even_when_stopping(self, batch: Awaitable[int]) -> int:
        """A process told to stop (SIGTERM) first settles the batch it may have handed to Kafka, for at most a
        lease's time: a planned stop then publishes nothing twice (a crash still can)."""
        publishing = asyncio.ensure_future(batch)
        try:
            return await asyncio.shield(publishing)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(publishing, self.settings.lease_seconds)
            raise

    async def _publish_batch(self, conn: asyncpg.Connection) -> int:
        async with self._db:
            rows = await conn.fetch(
                f"""SELECT id, topic, key, value, headers FROM {self.schema}.outbox
                    WHERE lane = ANY($2::smallint[]) ORDER BY id LIMIT $1""",
                self.batch_size,
                list(self.lanes.held),
            )
            if len(rows) == self.batch_size or not rows:
                await self._observe_backlog(conn)
        if not rows:
            return 0
        if time.monotonic() - self._renewed_at > self.settings.lease_seconds:
            # Not renewed for a lease's time (this process was paused?): publish only if it is still ours.
            async with self._db:
                await self.lanes.renew(conn)
            self._renewed_at = time.monotonic()
            self._lanes_held.set(len(self.lanes.held))
        published, refused, transient = await self._send(rows)
        async with self._db:
            await settle(conn, self.schema, self.lanes, [r["id"] for r in published], refused)
        for row in published:
            metrics.observe_published(row["topic"], row["value"], _headers(row))
        for refusal in refused:
            metrics.OUTBOX_SET_ASIDE.labels(service=self.schema, topic=refusal.topic, reason=refusal.reason).inc()
        self.published += len(published)
        self.set_aside += len(refused)
        if transient is not None:
            raise transient
        return len(rows)

    async def _observe_backlog(self, conn: asyncpg.Connection) -> None:
        counts = await conn.fetchrow(
            f"SELECT (SELECT count(*) FROM {self.schema}.outbox), (SELECT count(*) FROM {self.schema}.outbox_set_aside)"
        )
        assert counts is not None  # a SELECT without FROM returns one row
        backlog, set_aside = counts
        metrics.OUTBOX_BACKLOG.labels(service=self.schema).set(backlog)
        metrics.OUTBOX_SET_ASIDE_ROWS.labels(service=self.schema).set(set_aside)

    async def _send(self, rows: list[asyncpg.Record]) -> tuple[list[asyncpg.Record], list[Refusal], KafkaError | None]:
        """Publish ``rows`` in order: those Kafka has, those it refuses for good, and a transient error that
        stopped the rest (those are neither, and stay in the outbox)."""
        missing = await self._missing_topics({r["topic"] for r in rows})
        refused = [
            self._refusal(r, UNKNOWN_TOPIC, f"the cluster has no topic {r['topic']}")
            for r in rows
            if r["topic"] in missing
        ]
        rows = [r for r in rows if r["topic"] not in missing]
        # What a service reports (its status events) is on Kafka before what sets the next service going: else a
        # slow status partition lets the next service's event overtake it (30, 60, 50 on messages.status).
        reports = [r for r in rows if self.reports_first(r["topic"])]
        published, transient = await self._send_in_order(reports, refused)
        if transient is None:
            more, transient = await self._send_in_order(
                [r for r in rows if not self.reports_first(r["topic"])], refused
            )
            published += more
        return published, refused, transient

    async def _send_in_order(
        self, rows: list[asyncpg.Record], refused: list[Refusal]
    ) -> tuple[list[asyncpg.Record], KafkaError | None]:
        """Publish ``rows`` in order and await them; add those Kafka refuses for good to ``refused``."""
        if not rows:
            return [], None
        outcomes = await self._deliver(rows)
        published = [r for r, o in zip(rows, outcomes, strict=True) if not isinstance(o, BaseException)]
        # A refusal fails the whole producer batch it travels in, innocent records included, and (the sequence
        # broken) the partition's batches after it: each failed record is sent again alone, in order, to learn
        # which one Kafka refuses. A partition's records after a failed one failed too, so per-key order holds.
        for row in [r for r, o in zip(rows, outcomes, strict=True) if isinstance(o, BaseException)]:
            if self._sequence_broken:
                await self._start_producer()
            [outcome] = await self._deliver([row])
            if not isinstance(outcome, BaseException):
                published.append(row)
            elif reason := refusal_reason(outcome):
                refused.append(self._refusal(row, reason, f"{type(outcome).__name__}: {outcome}"))
            else:
                return published, outcome
        return published, None

    async def _deliver(self, rows: list[asyncpg.Record]) -> list[RecordMetadata | BaseException]:
        """Hand ``rows`` to the producer in order (so per-key order holds), then await them all: for each,
        its metadata or the error that stopped it."""
        deliveries: list[asyncio.Future[RecordMetadata]] = []
        left: list[bool] = []
        for row in rows:
            try:
                deliveries.append(
                    await self._started_producer.send(
                        row["topic"],
                        value=row["value"],
                        key=row["key"],
                        headers=[(k, v.encode()) for k, v in _headers(row)],
                    )
                )
                left.append(True)
            except KafkaError as exc:  # refused before it left: the producer's sequence is untouched
                deliveries.append(_failed(exc))
                left.append(False)
        outcomes = await asyncio.gather(*deliveries, return_exceptions=True)
        # A batch the broker failed had sequence numbers it never stored: this producer's next batches for that
        # partition would be refused as out of order, so a fresh producer sends the rest.
        self._sequence_broken = any(
            isinstance(o, BaseException) and went for o, went in zip(outcomes, left, strict=True)
        )
        return outcomes

    async def _missing_topics(self, topics: set[str]) -> set[str]:
        """Topics the cluster does not have, by its own answer (an unreachable cluster raises: transient)."""
        unknown = {t for t in topics if self._started_producer.client.cluster.partitions_for_topic(t) is None}
        if unknown:
            unknown = _absent(unknown, await self._started_producer.client.fetch_all_metadata())
        if unknown:  # asked again a second later: a topic just created may not be in every broker's answer yet
            await asyncio.sleep(1)
            unknown = _absent(unknown, await self._started_producer.client.fetch_all_metadata())
        return unknown

    def _refusal(self, row: asyncpg.Record, reason: str, error: str) -> Refusal:
        log.error(
            "outbox row %s of %s for topic %s set aside, Kafka refuses it: %s (%s)",
            row["id"],
            self.schema,
            row["topic"],
            reason,
            error,
        )
        return Refusal(id=row["id"], topic=row["topic"], reason=reason, error=error)


def _failed(error: KafkaError) -> asyncio.Future[RecordMetadata]:
    failed: asyncio.Future[RecordMetadata] = asyncio.get_running_loop().create_future()
    failed.set_exception(error)
    return failed


def _absent(topics: set[str], metadata: ClusterMetadata) -> set[str]:
    return {t for t in topics if metadata.partitions_for_topic(t) is None}


def _headers(row: asyncpg.Record) -> list[tuple[str, str]]:
    return [tuple(h) for h in msgspec.json.decode(row["headers"])]


async def _first_to_fail(*coroutines: Coroutine[Any, Any, None]) -> None:
    """Run the coroutines together until one of them raises; cancel the others and raise that (if several failed
    at once, the first one's in the order given)."""
    tasks = [asyncio.create_task(c) for c in coroutines]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in tasks:
            if task in done:
                task.result()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
