"""The chaos run's system: a three-broker cluster (one broker behind our TCP proxy), PostgreSQL, the mocked
gateway and two processes of each service in one consumer group, prepared as `accordeer setup` does.

The notifier and the portal are left out: they only read (mail and pages), and nothing they do reaches
messages.status, which is what the run checks.
"""

import asyncio
import re
import signal
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import asyncpg
import httpx
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from accordeer.chaos.proxy import TcpProxy
from accordeer.localstack.cluster import LocalKafkaCluster
from accordeer.localstack.kafka import free_port, port_open
from accordeer.localstack.postgres import LocalPostgres
from accordeer.localstack.processes import ManagedProcess, stop_together
from accordeer.localstack.stack import ServiceProcesses
from accordeer.paths import TOOLS_CACHE
from accordeer.setup import prepare
from shared.db.migrations import apply_migrations
from shared.db.roles import OWNER, service_role
from shared.kafka import admin
from shared.settings import Settings

SERVICES = ("intake", "workflow", "dispatch")
INSTANCES = ("a", "b")
PROXIED_BROKER = 2
CLUSTER_ENVIRONMENT = {"ACCORDEER_KAFKA_ENVIRONMENT": "cluster"}

_Part = TypeVar("_Part")


def _started(part: _Part | None, what: str) -> _Part:
    if part is None:
        raise RuntimeError(f"the chaos stack's {what} is not there: start() the stack first")
    return part


@dataclass
class ChaosStack:
    work_dir: Path
    seconds_per_step: float = 1.0
    """The mocked gateway's pace: a trail takes 7 s (dispatch sees its end after about 9), so a hundred or more
    deliveries are in flight when the gateway restarts and forgets them."""
    cluster: LocalKafkaCluster | None = None
    proxy: TcpProxy | None = None
    postgres: LocalPostgres | None = None
    services: ServiceProcesses | None = None
    settings: Settings | None = None
    extra: dict[str, str] = field(default_factory=dict)
    next_version: Path | None = None
    """A checkout of the next version (accordeer/chaos/upgrade.py) that processes can be replaced by."""
    upgraded: set[str] = field(default_factory=set)
    """The processes ("intake-a") that run the next version: restarted after a fault as that version too."""
    next_services: ServiceProcesses | None = None
    """How the next version's processes are started (made at the first)."""

    # -- its parts, once started (each is None before start()) ---------------------------------------------------

    @property
    def started_cluster(self) -> LocalKafkaCluster:
        return _started(self.cluster, "Kafka cluster")

    @property
    def started_proxy(self) -> TcpProxy:
        return _started(self.proxy, "TCP proxy")

    @property
    def started_postgres(self) -> LocalPostgres:
        return _started(self.postgres, "PostgreSQL")

    @property
    def started_services(self) -> ServiceProcesses:
        return _started(self.services, "service processes")

    @property
    def started_settings(self) -> Settings:
        return _started(self.settings, "settings")

    async def start(self) -> "ChaosStack":
        proxy_port = free_port()
        self.cluster = LocalKafkaCluster(
            self.work_dir / "kafka", TOOLS_CACHE, brokers=3, advertised_ports={PROXIED_BROKER: proxy_port}
        )
        self.proxy = await TcpProxy(proxy_port, self.cluster.broker_port(PROXIED_BROKER)).start()
        await asyncio.to_thread(self.cluster.start)
        self.postgres = await asyncio.to_thread(LocalPostgres(self.work_dir / "postgres").start)
        self.settings = Settings(
            database_url=self.postgres.role_url(OWNER),
            kafka_bootstrap_servers=self.cluster.bootstrap_servers,
            topic_prefix="",
        )
        await create_topics(self.settings)  # first, so prepare() finds them all and creates none at RF 1
        await prepare(self.settings)
        postgres = self.postgres
        self.services = ServiceProcesses(
            log_dir=self.work_dir / "logs",
            database_urls=lambda service: postgres.role_url(service_role(service)),
            env={
                "KAFKA_BOOTSTRAP_SERVERS": self.settings.kafka_bootstrap_servers,
                "ACCORDEER_TOPIC_PREFIX": "",
                "ACCORDEER_LOG_FORMAT": "json",
                "DIGIPOORT_MOCK_SECONDS_PER_STEP": str(self.seconds_per_step),
                **CLUSTER_ENVIRONMENT,
            },
            gateway_port=free_port(),
            mail_port=free_port(),
            portal_port=free_port(),
            status_api_port=free_port(),
        )
        self.services.start_gateway()
        await self.start_services()
        return self

    async def start_services(self) -> None:
        """Every process of every service (the gateway apart), once each says it is running."""
        for name in SERVICES:
            for instance in INSTANCES:
                self.start_service(name, instance)
        await self.until_running()

    async def stop_services(self, grace_seconds: float = 30) -> None:
        """Every process of every service (the gateway apart) stopped cleanly, together."""
        await asyncio.to_thread(stop_together, self._service_processes(), grace_seconds)

    def _service_processes(self) -> list[ManagedProcess]:
        return [self.process(name, instance) for name in SERVICES for instance in INSTANCES]

    async def until_running(self, timeout: float = 120) -> None:
        """Until every service process says it is running: faults are for a running system. On a loaded machine
        eight processes take seconds to start, and a broker killed meanwhile once stopped both dispatch processes
        at their start (a start without Kafka is an exit, for a supervisor to restart), so nothing was sent."""
        deadline = asyncio.get_running_loop().time() + timeout
        processes = self._service_processes()
        while not all(RUNNING in p.output() for p in processes):
            if stopped := [p.name for p in processes if not p.running()]:
                raise RuntimeError(f"{', '.join(stopped)} stopped at start; logs in {self.work_dir / 'logs'}")
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"the services did not all start within {timeout:g}s")
            await asyncio.sleep(0.5)

    async def stop(self) -> None:
        if self.services is not None:
            for process in self.services.processes.values():
                process._signal(signal.SIGCONT)  # a frozen process cannot stop
            await asyncio.to_thread(self.services.stop_all)
        if self.cluster is not None:
            await asyncio.to_thread(self.cluster.stop)
        if self.proxy is not None:
            await self.proxy.stop()
        if self.postgres is not None:
            await asyncio.to_thread(self.postgres.stop)

    # -- processes -------------------------------------------------------------------------------------------

    def start_service(self, name: str, instance: str) -> ManagedProcess:
        services = self.started_services
        if f"{name}-{instance}" not in self.upgraded:
            return services.start_service(name, instance=instance)
        if self.next_services is None:
            version = _started(self.next_version, "next version")
            self.next_services = replace(
                services,
                cwd=version,
                env={**services.env, "ACCORDEER_DEPLOY_DIR": str(version / "deploy")},
                processes={},
                launches={},
            )
        process = self.next_services.start_service(name, instance=instance)
        services.processes[process.name] = process
        return process

    async def replace_with_next(self, name: str, instance: str) -> tuple[int, int]:
        """Stop a process cleanly (SIGTERM, as a rolling update does) and start the next version in its place; the
        two pids."""
        old = self.process(name, instance)
        await asyncio.to_thread(old.stop, 30)
        self.upgraded.add(f"{name}-{instance}")
        return old.pid, self.start_service(name, instance).pid

    async def apply_next_migrations(self) -> list[str]:
        version = _started(self.next_version, "next version")
        return await asyncio.to_thread(
            apply_migrations, self.started_settings.database_url, version / "deploy" / "migrations"
        )

    def process(self, name: str, instance: str) -> ManagedProcess:
        return self.started_services.processes[f"{name}-{instance}"]

    async def relay_leader(self, service: str) -> tuple[ManagedProcess, bool]:
        """A process holding some of the service's relay lanes (relay_leases.holder, "host:pid:...", names it) and
        True; the first process and False when the lease table cannot tell."""
        candidates = {self.process(service, i).pid: self.process(service, i) for i in INSTANCES}
        try:
            conn = await asyncpg.connect(self.started_settings.database_url)
            try:
                holders = [r["holder"] for r in await conn.fetch(f"SELECT holder FROM {service}.relay_leases")]
            finally:
                await conn.close()
        except (asyncpg.PostgresError, OSError):
            holders = []
        for holder in holders:
            for number in map(int, re.findall(r"\d+", holder)):
                if number in candidates:
                    return candidates[number], True
        return self.process(service, INSTANCES[0]), False

    # -- the brokers -----------------------------------------------------------------------------------------

    async def until_in_sync(self, timeout: float = 120) -> float:
        """Until every broker serves and every replica of every partition is in sync; the seconds it took.

        Serving first: for seconds after a broker dies the ISR still names it (the leaders drop a replica only
        after replica.lag.time.max.ms), so the ISR alone called a cluster with a broker down whole, and a disk was
        then lost with two of the three nodes gone: the quorum without a majority and the run stalled."""
        started = asyncio.get_running_loop().time()
        cluster = self.started_cluster
        client = AIOKafkaAdminClient(bootstrap_servers=cluster.bootstrap_servers, client_id="chaos")
        await client.start()
        try:
            while left := _not_serving(cluster) or await _out_of_sync(client):
                if asyncio.get_running_loop().time() - started > timeout:
                    raise TimeoutError(f"still not whole after {timeout:g}s ({len(left)} findings): {left[:5]} …")
                await asyncio.sleep(0.5)
        finally:
            await client.close()
        return asyncio.get_running_loop().time() - started

    # -- the gateway -----------------------------------------------------------------------------------------

    async def gateway(self, method: str, path: str, **kwargs) -> dict:
        async with httpx.AsyncClient(base_url=self.started_services.gateway_url, timeout=10) as client:
            response = await client.request(method, path, **kwargs)
            response.raise_for_status()
            return response.json()

    async def restart_gateway(self) -> None:
        """SIGKILL and start again: the mock keeps everything in memory, so it forgets every delivery."""
        self.started_services.processes["digipoort_mock"].kill()
        await asyncio.sleep(2)
        await asyncio.to_thread(self.started_services.start_gateway)

    async def restart_postgres(self, pause: float) -> None:
        await asyncio.to_thread(self.started_postgres.stop)
        await asyncio.sleep(pause)
        await asyncio.to_thread(self.started_postgres.start)


RUNNING = "FastStream app started successfully"


def _not_serving(cluster: LocalKafkaCluster) -> list[str]:
    return [
        f"broker {i} not serving"
        for i in range(cluster.brokers)
        if not (cluster.running(i) and port_open(cluster.broker_port(i)))
    ]


async def _out_of_sync(client: AIOKafkaAdminClient) -> list[str]:
    try:
        described = await client.describe_topics(await client.list_topics())
    except KafkaError as error:
        if not admin.retriable(error):
            raise
        # A broker killed by another fault and not back yet: the client cannot ask it, so not in sync either.
        return [f"the cluster could not be asked: {error!r}"]
    return [
        f"{topic['topic']}-{p['partition']}: {sorted(set(p['replicas']) - set(p['isr']))} not in sync"
        for topic in described
        for p in topic["partitions"]
        if set(p["replicas"]) - set(p["isr"])
    ]


async def create_topics(settings: Settings) -> None:
    """The product's topics as deploy/topics.yaml's 'cluster' environment says: replication 3, min ISR 2."""
    await admin.ensure_topics(settings.kafka_bootstrap_servers, settings.topic_prefix, environment="cluster")
