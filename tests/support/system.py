"""The system under test: one fresh database and topic prefix per test, services as real OS processes."""

import asyncio
import itertools
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient

from accordeer.kafka_io import publish
from accordeer.localstack.kafka import free_port, port_open
from accordeer.localstack.stack import ServiceProcesses, create_database
from accordeer.setup import prepare
from services.mail_sink.mailbox import StoredMail, read_mailbox, receptions
from shared.contracts.status import StatusEvent
from shared.db.migrations import apply_migrations
from shared.db.pool import connect
from shared.db.provisioning import ensure_roles
from shared.db.roles import OWNER, service_role
from shared.kafka.admin import partitions_of
from shared.operations.dead_letters import DeadLetter, read_dead_letters
from shared.settings import Settings
from tests.support.infrastructure import Infrastructure

_numbers = itertools.count(1)


class SystemUnderTest:
    def __init__(self, settings: Settings, log_dir: Path, database_urls: Callable[[str], str] | None = None):
        """``database_urls``: service → the URL of its own role; else every service has ``settings``'."""
        self.settings = settings
        self.topics = settings.topics
        self.services = ServiceProcesses(
            log_dir=log_dir,
            env={
                "DATABASE_URL": settings.database_url,
                "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
                "ACCORDEER_TOPIC_PREFIX": settings.topic_prefix,
                "ACCORDEER_LOG_FORMAT": "json",
                "DIGIPOORT_MOCK_SECONDS_PER_STEP": "0.05",
            },
            gateway_port=free_port(),
            status_api_port=free_port(),
            mail_port=free_port(),
            database_urls=database_urls,
        )
        self.events: list[StatusEvent] = []
        self._status_task: asyncio.Task | None = None
        self.db: asyncpg.Connection | None = None

    # -- lifecycle ----------------------------------------------------------------------------------------------

    async def open(self, *, prepared: bool = False) -> None:
        """Ready for the test: migrations, topics and configuration (unless ``prepared`` already), a database
        connection, and every status event collected from here on."""
        if not prepared:
            await prepare(self.settings)
        self.db = await connect(self.settings.database_url)
        self._status_task = asyncio.create_task(self._collect_statuses())

    async def close(self) -> None:
        self.services.stop_all()
        # aiokafka can swallow a cancellation that arrives while the consumer starts (a test done within a second,
        # on a loaded machine): the collector then ran on forever and the test's teardown with it. So: again.
        while self._status_task is not None and not self._status_task.done():
            self._status_task.cancel()
            await asyncio.wait({self._status_task}, timeout=1)
        if self._status_task is not None and not self._status_task.cancelled():
            self._status_task.exception()  # retrieved: a collector that failed says so in its test, not at exit
        if self.db:
            await self.db.close()
        await _delete_topics(self.settings.kafka_bootstrap_servers, self.topics.prefix)

    def start(self, *names: str) -> None:
        for name in names:
            if name == "digipoort_mock":
                self.services.start_gateway()
            elif name == "mail_sink":
                self.services.start_mail_sink()
            else:
                self.services.start_service(name)

    async def start_portal(self, *, instance: str = "", **extra_env: str) -> str:
        """A portal process on a port of its own, once it answers there; its address."""
        port = free_port()
        self.services.start_service("portal", instance=instance, ACCORDEER_PORTAL_PORT=str(port), **extra_env)
        for _ in range(300):
            if port_open(port):
                return f"http://127.0.0.1:{port}"
            await asyncio.sleep(0.1)
        raise AssertionError(f"the portal did not start\n{self.logs()}")

    def start_instances(self, name: str, count: int, **extra_env: str) -> list:
        """``count`` processes of one service side by side (one consumer group, sharing the outbox relay's lanes)."""
        return [self.services.start_service(name, instance=str(n), **extra_env) for n in range(1, count + 1)]

    @staticmethod
    def freeze(process) -> None:
        """SIGSTOP: the process keeps its connections but does nothing, as in a long pause or a stall."""
        os.killpg(process.pid, signal.SIGSTOP)

    @staticmethod
    def thaw(process) -> None:
        os.killpg(process.pid, signal.SIGCONT)

    async def cli(
        self, *args: str, timeout: float = 90, env: dict[str, str] | None = None, stdin: bytes = b""
    ) -> subprocess.CompletedProcess:
        """Run `accordeer ARGS` against this system, as a person would in a shell (``env`` overrides)."""
        where = {
            "ACCORDEER_GATEWAY_URL": self.services.gateway_url,
            "ACCORDEER_NOTIFIER_SMTP_PORT": str(self.services.mail_port),
            "MAIL_SINK_FOLDER": str(self.services.mail_dir),
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "accordeer.cli",
            *args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **self.services.env, **where, **(env or {})},
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(stdin), timeout)
        assert process.returncode is not None, "communicate() returns once the process has exited"
        return subprocess.CompletedProcess(args, process.returncode, stdout.decode(), stderr.decode())

    def logs_text(self) -> str:
        """Everything every process of this test logged."""
        return "\n".join(
            p.log_path.read_text(errors="replace") for p in self.services.processes.values() if p.log_path.exists()
        )

    def logs(self) -> str:
        return "\n".join(f"--- {name} ---\n{p.tail(40)}" for name, p in self.services.processes.items())

    # -- Kafka ----------------------------------------------------------------------------------------------------

    async def publish(self, topic: str, records: Sequence[tuple[str | None, bytes]]) -> None:
        await publish(self.settings.kafka_bootstrap_servers, topic, records)

    async def submit(self, *declarations: dict) -> None:
        await self.publish(self.topics.inbound, [(d.get("message_id"), json.dumps(d).encode()) for d in declarations])

    async def act(
        self,
        dossier_item_id: str,
        task: str,
        action: str,
        actor: str,
        *,
        action_id: str | None = None,
        comment: str = "",
        **extra,
    ) -> str:
        action_id = action_id or f"act-{dossier_item_id}-{time.monotonic_ns()}"
        body = {
            "schema_version": 1,
            "action_id": action_id,
            "dossier_item_id": dossier_item_id,
            "task": task,
            "action": action,
            "actor": actor,
            "comment": comment,
            **extra,
        }
        await self.publish(self.topics.portal_actions, [(dossier_item_id, json.dumps(body).encode())])
        return action_id

    async def read_topic(self, topic: str, *, expect: int, timeout: float = 60) -> list:
        """Every record of ``topic`` from the start, once at least ``expect`` are there."""
        partitions = await partitions_of(self.settings.kafka_bootstrap_servers, topic)
        consumer = AIOKafkaConsumer(bootstrap_servers=self.settings.kafka_bootstrap_servers, enable_auto_commit=False)
        try:
            await consumer.start()
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            records = []
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                batch = await consumer.getmany(timeout_ms=300)
                records += [r for rs in batch.values() for r in rs]
                if len(records) >= expect:
                    await asyncio.sleep(0.5)  # and anything beyond: the test may expect exactly `expect`
                    records += [r for rs in (await consumer.getmany(timeout_ms=300)).values() for r in rs]
                    return records
            return records
        finally:
            await consumer.stop()

    async def _collect_statuses(self) -> None:
        partitions = await partitions_of(self.settings.kafka_bootstrap_servers, self.topics.status)
        consumer = AIOKafkaConsumer(bootstrap_servers=self.settings.kafka_bootstrap_servers, enable_auto_commit=False)
        try:  # a test over within a second cancels the collector while it starts: stopped then as well
            await consumer.start()
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            while True:
                for records in (await consumer.getmany(timeout_ms=200)).values():
                    self.events += [StatusEvent.model_validate_json(r.value) for r in records]
        finally:
            await consumer.stop()

    async def wait_for(self, predicate: Callable[[], bool], *, timeout: float = 60, what: str = "condition") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{self.logs()}")

    async def dead_letters(self, topic: str, *, at_least: int = 1, timeout: float = 30) -> list[DeadLetter]:
        """The topic's dead letters once there are ``at_least`` of them.

        The outbox relay publishes a batch's records on their own lanes, so a refusal's status can be read before
        its dead letter is on the topic: wait for the letters rather than for the status."""
        deadline = time.monotonic() + timeout
        while len(letters := await read_dead_letters(self.settings.kafka_bootstrap_servers, topic)) < at_least:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(letters)} of {at_least} dead letters on {topic} after {timeout}s")
            await asyncio.sleep(0.2)
        return letters

    def statuses_of(self, dossier_item_id: str) -> list[int]:
        return [int(e.status_code) for e in self.events if e.dossier_item_id == dossier_item_id]

    # -- the mail sink --------------------------------------------------------------------------------------------

    def mails(self) -> list[StoredMail]:
        """Every mail the sink kept (one per Message-ID), newest first."""
        return read_mailbox(self.services.mail_dir)

    def mail_receptions(self) -> int:
        """How many mails reached the sink, repeats included."""
        return receptions(self.services.mail_dir)

    # -- the gateway mock -----------------------------------------------------------------------------------------

    async def gateway(self, method: str, path: str, **kwargs) -> dict:
        async with httpx.AsyncClient(base_url=self.services.gateway_url, timeout=10) as client:
            response = await client.request(method, path, **kwargs)
            response.raise_for_status()
            return response.json()


_templates: dict[str, str] = {}
"""Server URL → the migrated database this process copies for each test's."""


async def _delete_topics(bootstrap_servers: str, prefix: str) -> None:
    """A finished system's topics go: otherwise the shared broker carries every test's topics (some fifty each) to
    the end of the run, and every consumer that subscribes by pattern reads the metadata of all of them, which made
    the suite's later tests ever slower. A system without a prefix of its own shares the broker's names: kept."""
    if not prefix:
        return
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="accordeer-tests")
    await admin.start()
    try:
        if names := [topic for topic in await admin.list_topics() if topic.startswith(prefix)]:
            await admin.delete_topics(names)
    finally:
        await admin.close()


async def migrated_template(infrastructure: Infrastructure) -> str:
    """A database with every migration applied (the owner's), made once per test process: each test's database is
    a copy of it, which takes 0.07 s where running the migrations takes 0.3 s."""
    if infrastructure.database_url not in _templates:
        name = f"accordeer_template_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        owner = OWNER if infrastructure.role_passwords is not None else None
        await create_database(infrastructure.database_url, name, owner=owner)
        await asyncio.to_thread(ensure_roles, infrastructure.role_url(name, OWNER))
        await asyncio.to_thread(apply_migrations, infrastructure.role_url(name, OWNER))
        _templates[infrastructure.database_url] = name
    return _templates[infrastructure.database_url]


async def prepared_settings(infrastructure: Infrastructure, database: str, topic_prefix: str) -> Settings:
    """A fresh database (the owner's, who runs the migrations) and topic prefix with the migrations, topics and
    shipped configuration in place."""
    owner = OWNER if infrastructure.role_passwords is not None else None
    template = await migrated_template(infrastructure)
    await create_database(infrastructure.database_url, database, owner=owner, template=template)
    settings = Settings(
        database_url=infrastructure.role_url(database, OWNER),
        kafka_bootstrap_servers=infrastructure.bootstrap_servers,
        topic_prefix=topic_prefix,
    )
    await prepare(settings)
    return settings


class SystemSupply:
    """Systems prepared one ahead: while a test runs, the next test's database and topics are made, so no test
    waits the two seconds and more that takes (most of it the broker electing leaders for some 30 topics)."""

    def __init__(self, infrastructure: Infrastructure):
        self.infrastructure = infrastructure
        self._next: asyncio.Task[Settings] | None = None

    async def new_system(self, log_dir: Path) -> SystemUnderTest:
        settings = await (self._next or self._prepare())
        self._next = self._prepare()
        system = SystemUnderTest(settings, log_dir, self.service_database_urls(settings))
        await system.open(prepared=True)
        return system

    def service_database_urls(self, settings: Settings) -> Callable[[str], str]:
        """Each service of the system with ``settings`` connecting as its own role, as in the local stack."""
        database = urlsplit(settings.database_url).path.lstrip("/")
        return lambda service: self.infrastructure.role_url(database, service_role(service))

    def _prepare(self) -> asyncio.Task[Settings]:
        number = f"{os.getpid()}_{next(_numbers)}"
        prepared = prepared_settings(self.infrastructure, f"accordeer_test_{number}", f"t{number}.")
        return asyncio.create_task(prepared, name="prepare the next system")

    async def close(self) -> None:
        if self._next is not None:
            self._next.cancel()
            await asyncio.gather(self._next, return_exceptions=True)
