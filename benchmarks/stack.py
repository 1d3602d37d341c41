"""Each bench phase's own system on the shared broker and server: a fresh database and topic prefix (dropped
afterwards, so phases neither see each other's backlog nor grow each other's tables), the services as processes
logging as `make run` has them (INFO, as JSON lines: what logging costs is part of what a user pays), the mocked
gateway at zero latency, and the process ids whose CPU the bench reads. A whole-stack phase runs every service
`make run` runs (the portal, the notifier and the status API read the statuses too), with the SMTP sink."""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient

from accordeer.localstack.kafka import free_port
from accordeer.localstack.stack import SERVICES, ServiceProcesses
from benchmarks.cpu import listener_pid, parent_pid
from shared.db.pool import connect
from shared.settings import Settings
from tests.support import system
from tests.support.infrastructure import Infrastructure

PIPELINE = ("intake", "workflow", "dispatch")
WHOLE_STACK = SERVICES
INSTANCES = "abcdefgh"
GATEWAY = "gateway mock"
OTHERS = {"digipoort_mock": GATEWAY, "mail_sink": "mail sink"}


async def prepared_settings(infra: Infrastructure, tag: str) -> Settings:
    database = f"bench_{tag}_{uuid.uuid4().hex[:6]}"
    return await system.prepared_settings(infra, database, f"{database}.")


async def discard(infra: Infrastructure, settings: Settings) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.bootstrap_servers, client_id="bench-admin")
    await admin.start()
    try:
        ours = [t for t in await admin.list_topics() if t.startswith(settings.topic_prefix)]
        if ours:
            await admin.delete_topics(ours)
    finally:
        await admin.close()
    conn = await connect(infra.database_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{settings.topic_prefix.rstrip(".")}" WITH (FORCE)')
    finally:
        await conn.close()


@asynccontextmanager
async def phase_system(
    infra: Infrastructure, tag: str, log_dir: Path, *, services=PIPELINE, processes: int = 1, gateway: bool = True
) -> AsyncIterator[tuple[Settings, ServiceProcesses]]:
    """``processes`` of each of ``services`` in ``PIPELINE`` (one consumer group each; one process of the others)
    on a fresh database and prefix."""
    settings = await prepared_settings(infra, tag)
    running = ServiceProcesses(
        log_dir / tag,
        env={
            "DATABASE_URL": settings.database_url,
            "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
            "ACCORDEER_TOPIC_PREFIX": settings.topic_prefix,
            "DIGIPOORT_MOCK_SECONDS_PER_STEP": "0",
            "ACCORDEER_LOG_FORMAT": "json",
        },
        gateway_port=free_port(),
        mail_port=free_port(),
        portal_port=free_port(),
        status_api_port=free_port(),
    )
    try:
        if gateway:
            await asyncio.to_thread(running.start_gateway)
        if "notifier" in services:
            await asyncio.to_thread(running.start_mail_sink)
        for name in services:
            for instance in INSTANCES[: processes if name in PIPELINE else 1]:
                running.start_service(name, instance=instance, ACCORDEER_HTTP_PORT=str(free_port()))
        yield settings, running
    finally:
        await asyncio.to_thread(running.stop_all)
        await discard(infra, settings)


def check_running(running: ServiceProcesses) -> None:
    """Raise with its log's tail when a process of the phase has died: the figures would mean nothing."""
    for key, process in running.processes.items():
        if not process.running():
            raise RuntimeError(f"{key} exited during the bench (code {process.exit_code}):\n{process.tail()}")


def service_roots(running: ServiceProcesses) -> dict[str, list[int]]:
    """Service name (or the gateway mock) → its processes' ids."""
    roots: dict[str, list[int]] = {}
    for key, process in running.processes.items():
        name = OTHERS.get(key) or key.rsplit("-", 1)[0]
        roots.setdefault(name, []).append(process.pid)
    return roots


async def infrastructure_roots(infra: Infrastructure) -> dict[str, list[int]]:
    """The broker (whoever listens on the bootstrap port) and PostgreSQL's postmaster (the parent of our own
    backend); left out when they run where /proc cannot see them (a container, another host)."""
    roots = {}
    port = int(infra.bootstrap_servers.split(",")[0].rsplit(":", 1)[1])
    if (broker := await asyncio.to_thread(listener_pid, port)) is not None:
        roots["Kafka broker"] = [broker]
    conn = await connect(infra.database_url)
    try:
        # Asked while the backend lives: once the connection is closed, /proc no longer has it.
        postmaster = parent_pid(await conn.fetchval("SELECT pg_backend_pid()"))
    finally:
        await conn.close()
    if postmaster is not None:
        command = await asyncio.to_thread(Path(f"/proc/{postmaster}/comm").read_text)
        if command.strip().startswith("postgres"):
            roots["PostgreSQL"] = [postmaster]
    roots["bench itself"] = [os.getpid()]
    return roots
