"""What every service process holds while it runs: a PostgreSQL pool and the outbox relay (with its producer).

Created in the FastStream app's startup hook and closed at shutdown, so nothing
connects at import time and tests can configure before anything starts.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

import anyio
import asyncpg
from aiokafka import ConsumerRecord, TopicPartition
from faststream import FastStream
from faststream._internal._compat import ExceptionGroup
from faststream._internal.cli.supervisors.utils import set_exit
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from faststream.specification import AsyncAPI
from prometheus_client import REGISTRY

from shared import topology
from shared.db.inbox import applied_positions
from shared.db.pool import create_pool
from shared.db.positions import check_positions
from shared.directory.mirror import DirectoryMirror
from shared.kafka import poison
from shared.kafka.batches import ApplyBatch, subscribe_batches
from shared.kafka.producer import METADATA_MAX_AGE_MS, create_producer
from shared.kafka.relay import OutboxRelay
from shared.kafka.security import faststream_security
from shared.lag_gauges import export_lag_forever
from shared.logs import configure_logging
from shared.ops_http import Check, ops_app, serve_ops
from shared.settings import Settings

log = logging.getLogger(__name__)


class ServiceRuntime:
    """The resources of one service process; ``service`` also names its PostgreSQL schema."""

    def __init__(self, service: str, settings: Settings, *, keeps_directory: bool = False):
        self.service = service
        self.keeps_directory = keeps_directory
        self.settings = settings
        self.topics = settings.topics
        self.group_id = settings.topics.group(service)
        self._pool: asyncpg.Pool | None = None
        self._tasks: list[asyncio.Task[object]] = []
        self._closers: list[Callable[[], Awaitable[None]]] = []
        self.relay: OutboxRelay | None = None
        self.broker: KafkaBroker | None = None
        self._directory: DirectoryMirror | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        assert self._pool is not None, "the runtime is not open yet"
        return self._pool

    @property
    def directory(self) -> DirectoryMirror:
        """The service's copy of the directory (only for a runtime that ``keeps_directory``)."""
        assert self._directory is not None, "this runtime keeps no directory, or is not open yet"
        return self._directory

    async def open(self) -> None:
        self._pool = await create_pool(self.settings.database_url, max_size=self.settings.db_pool_max)
        async with self._pool.acquire() as conn:
            await check_positions(conn, self.service, self.settings)
        self.relay = OutboxRelay(
            self.settings.database_url,
            self.service,
            lambda: create_producer(
                self.settings.kafka_bootstrap_servers, client_id=f"accordeer-{self.service}", settings=self.settings
            ),
            batch_size=self.settings.outbox_batch_size,
            reports_first=self.topics.is_status,
        )
        self.spawn(self.relay.run(), name="outbox-relay")
        if self.keeps_directory:
            self._directory = DirectoryMirror(
                self.settings.kafka_bootstrap_servers,
                self.topics.directory,
                self.pool,
                self.service,
                client_id=f"accordeer-{self.service}-directory",
            )
            self.spawn(self._directory.run(), name="directory-mirror")
        if self.settings.http_port:
            checks: dict[str, Check] = {
                "postgresql": self._database_answers,
                "kafka": self._broker_answers,
                "consumers": poison.consumers_running,
            }
            self.spawn(
                serve_ops(ops_app(self.service, checks), self.settings.http_host, self.settings.http_port),
                name="ops-http",
            )
            self.spawn(
                export_lag_forever(
                    self.settings.kafka_bootstrap_servers,
                    self.topics,
                    self.group_id,
                    interval=self.settings.lag_sample_seconds,
                ),
                name="lag-gauges",
            )

    async def _database_answers(self) -> bool:
        answer: object = await self.pool.fetchval("SELECT 1", timeout=2)
        return answer == 1

    async def _broker_answers(self) -> bool:
        return self.broker is not None and await self.broker.ping(timeout=2)

    def subscribe(
        self, broker: KafkaBroker, apply: ApplyBatch, *, title: str, description: str, gather_ms: int = 0
    ) -> None:
        """Batches of what the topology says the service consumes to ``apply``, in the service's group, with the
        batch sizes of the settings and the poison handling every service shares. A per-source family is read by
        a pattern, so a source's topic created later is read without a restart. A runtime that keeps the
        directory applies a batch only once its copy holds every party published before it: a client is then
        judged, assigned and mailed as the office's directory has them. ``gather_ms``: see
        ``shared.kafka.batches.READ_MODEL_GATHER_MS``."""
        consumes = topology.service(self.service)
        pattern = consumes.pattern(self.topics)
        topics = None if pattern else consumes.consumed(self.topics)

        async def apply_with_directory(records: Sequence[ConsumerRecord]) -> None:
            await self.directory.caught_up()
            await apply(records)

        subscribe_batches(
            broker,
            topics,
            pattern=pattern,
            group_id=self.group_id,
            apply=apply_with_directory if self.keeps_directory else apply,
            max_records=self.settings.batch_max_records,
            batch_timeout_ms=self.settings.batch_timeout_ms,
            database_answers=lambda: poison.pool_answers(self.pool),
            title=title,
            description=description,
            applied=self._applied_positions,
            applies_first=frozenset(self.topics.prefix + name for name in consumes.applies_first),
            gather_ms=gather_ms,
        )

    async def _applied_positions(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        async with self.pool.acquire() as conn:
            stored = await applied_positions(
                conn, self.service, self.group_id, [(p.topic, p.partition) for p in partitions]
            )
        return {TopicPartition(topic, partition): offset for (topic, partition), offset in stored.items()}

    def spawn(self, coroutine: Coroutine[Any, Any, object], *, name: str) -> None:
        """Run a background loop for the life of the process; a crash of it is logged, never silent."""
        task = asyncio.create_task(coroutine, name=f"{self.service}:{name}")
        task.add_done_callback(_report_crash)
        self._tasks.append(task)

    def on_close(self, closer: Callable[[], Awaitable[None]]) -> None:
        """Close a client of the service after the background loops that use it have stopped."""
        self._closers.append(closer)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for closer in self._closers:
            await closer()
        if self._pool is not None:
            await self._pool.close()


def _report_crash(task: asyncio.Task[object]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("background task %s crashed", task.get_name(), exc_info=task.exception())


class ServiceApp(FastStream):
    """FastStream's application, but waiting for its stop on an event: ``FastStream.run`` looks whether it should
    stop ten times a second, the most frequent wake-up of an idle service (a third of them); this sleeps until a
    signal or ``exit()``, and stops at once. The rest is ``FastStream.run`` (faststream 0.7.8) as it is, with its
    anyio task group."""

    _stopping: asyncio.Event | None = None

    async def run(
        self,
        log_level: int = logging.INFO,
        run_extra_options: dict[str, Any] | None = None,
        sleep_time: float = 0.1,
    ) -> None:
        self._stopping = asyncio.Event()
        if self._should_exit:
            self._stopping.set()
        set_exit(lambda *_: self.exit(), sync=False)
        async with self.lifespan_context(**(run_extra_options or {})):
            try:
                async with anyio.create_task_group() as tasks:
                    tasks.start_soon(self._startup, log_level, run_extra_options)
                    await self._stopping.wait()
                    await self._shutdown(log_level)
                    tasks.cancel_scope.cancel()
            except ExceptionGroup as group:
                for error in group.exceptions:
                    raise error from None

    def exit(self) -> None:
        super().exit()
        if self._stopping is not None:
            self._stopping.set()


def service_app(runtime: ServiceRuntime, broker: KafkaBroker, *, title: str, description: str) -> FastStream:
    """The FastStream application of a service, with the runtime opened before the broker starts."""
    configure_logging(runtime.settings.log_format, runtime.settings.log_level)
    runtime.broker = broker
    app = ServiceApp(broker, specification=AsyncAPI(title=title, description=description, version="1"))
    app.on_startup(runtime.open)
    app.after_shutdown(runtime.close)
    return app


def new_broker(settings: Settings, service: str) -> KafkaBroker:
    """The service's broker; its log lines go through the product's logging (JSON when configured)."""
    return KafkaBroker(
        # A list: FastStream hands a string to aiokafka as one host, so "a:1,b:2,c:3" would not bootstrap.
        [server.strip() for server in settings.kafka_bootstrap_servers.split(",")],
        client_id=f"accordeer-{service}",
        security=faststream_security(settings),
        # The set-up creates the topics (deploy/topics.yaml); a secure broker gives services no right to create any.
        allow_auto_create_topics=settings.kafka_security == "plaintext",
        # Whatever this broker publishes is as safe as the outbox relay's records: acks=all, no duplicate on retry.
        acks="all",
        enable_idempotence=True,
        metadata_max_age_ms=METADATA_MAX_AGE_MS,
        logger=logging.getLogger(f"faststream.{service}"),
        # Per-record "Received"/"Processed" lines at DEBUG: our own lines carry the message ids that matter.
        log_level=logging.DEBUG,
        middlewares=[KafkaPrometheusMiddleware(registry=REGISTRY, app_name=f"accordeer-{service}")],
    )
