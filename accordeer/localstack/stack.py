"""The local stack: infrastructure (own or given), migrations, topics, and the service processes.

Used by `accordeer run` (and so `make run`) and by the end-to-end tests, so
both run the system the same way: every service as its own OS process.
"""

import asyncio
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr

from accordeer.localstack.acls import configured_sources, grant, principals
from accordeer.localstack.cluster import LocalKafkaCluster
from accordeer.localstack.kafka import LocalKafka, free_port, port_open
from accordeer.localstack.postgres import LocalPostgres, running_server_url
from accordeer.localstack.processes import ManagedProcess, stop_together, wait_until
from accordeer.localstack.secure import ADMIN, BrokerSecurity
from shared import topology
from shared.db.roles import OWNER, service_role
from shared.kafka.security import client_options
from shared.operations.readiness import endpoints_setting
from shared.settings import Settings

SERVICES = tuple(service.name for service in topology.SERVICES)
HELPERS = ("digipoort_mock", "mail_sink")
"""The processes that stand in for the outside world: the mocked gateway and the SMTP sink."""
OPS_PORTS = {service.name: service.ops_port for service in topology.SERVICES}
"""Health and metrics endpoints of the local stack (`accordeer status` looks there)."""


PORTAL_KEY = "ACCORDEER_PORTAL_SECOND_FACTOR_KEY"


def made_once(key_file: Path) -> str:
    """The Fernet key in ``key_file``, which is written (0600) with a new one the first time."""
    from cryptography.fernet import Fernet

    key_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        with os.fdopen(os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as written:
            written.write(Fernet.generate_key().decode())
    except FileExistsError:
        pass
    return key_file.read_text().strip()


def ops_ports(first: int) -> dict[str, int]:
    """The services' health and metrics ports, moved so that the first is ``first`` (OPS_PORTS for 8481)."""
    lowest = min(OPS_PORTS.values())
    return {name: port - lowest + first for name, port in OPS_PORTS.items()}


def with_database(database_url: str, database: str) -> str:
    """The same server, another database (Unix-socket URLs keep their ?host=)."""
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path=f"/{database}"))


async def create_database(
    server_url: str, database: str, *, owner: str | None = None, template: str | None = None
) -> str:
    """Create ``database`` on the server ``server_url`` connects to (owned by ``owner``, a copy of ``template``, if
    given); the new database's URL."""
    import asyncpg

    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(
            f'CREATE DATABASE "{database}"'
            + (f' TEMPLATE "{template}"' if template else "")
            + (f' OWNER "{owner}"' if owner else "")
        )
    finally:
        await admin.close()
    return with_database(server_url, database)


@dataclass
class Infrastructure:
    """Kafka and PostgreSQL: started here unless the environment names existing ones."""

    data_dir: Path
    cache_dir: Path
    kafka_port: int = 9092
    kafka_brokers: int = 1
    """1: one plaintext broker; 3: a KRaft cluster whose topics keep three copies (the 'cluster' environment)."""
    kafka_security: str = "plaintext"
    """'scram': the broker(s) in secure mode (accordeer/localstack/secure.py), each client its own principal."""
    topic_prefix: str = ""
    """The prefix the ACLs of deploy/kafka_acls.yaml are applied for (secure mode)."""
    security: BrokerSecurity | None = None
    kafka: LocalKafka | None = None
    cluster: LocalKafkaCluster | None = None
    postgres: LocalPostgres | None = None
    bootstrap_servers: str = ""
    database_url: str = ""

    def __post_init__(self):
        if self.kafka_brokers not in (1, 3):
            raise ValueError(f"the local stack runs 1 Kafka broker or a cluster of 3, not {self.kafka_brokers}")
        if self.kafka_security not in ("plaintext", "scram"):
            raise ValueError(f"Kafka security is 'plaintext' or 'scram', not {self.kafka_security!r}")

    @property
    def kafka_environment(self) -> str:
        """Which replication settings of deploy/topics.yaml the product's topics get."""
        return "cluster" if self.kafka_brokers == 3 else "local"

    @property
    def kafka_folder(self) -> str:
        """The local Kafka's folder under the data dir. Secure mode has folders of its own: its storage holds the
        SCRAM credentials, formatted with them; a cluster's storage is formatted for three voters."""
        secure = "-secure" if self.kafka_security == "scram" else ""
        return f"kafka-cluster{secure}" if self.kafka_brokers == 3 else f"kafka{secure}"

    @property
    def postgres_folder(self) -> str:
        """Each local Kafka has a PostgreSQL of its own: a database keeps its consumers' positions in that Kafka's
        topics, and used with another Kafka it would take that one's records as applied already and skip them."""
        return "postgres" + self.kafka_folder.removeprefix("kafka")

    def start(self) -> "Infrastructure":
        self.bootstrap_servers = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "")
        self.database_url = os.environ.get("DATABASE_URL", "")
        if not self.database_url:
            folder = "postgres" if self.bootstrap_servers else self.postgres_folder
            self.postgres = LocalPostgres(self.data_dir / folder).start()
            self.database_url = self.postgres.role_url(OWNER)
        if self.bootstrap_servers:
            return self
        secure = self.kafka_security == "scram"
        kafka_dir = self.data_dir / self.kafka_folder
        if secure:
            self.security = BrokerSecurity(kafka_dir / "security", principals(configured_sources()))
        if self.kafka_brokers == 3:
            self.cluster = LocalKafkaCluster(
                kafka_dir, self.cache_dir, brokers=3, base_port=self.kafka_port, security=self.security
            ).start()
            self.bootstrap_servers = self.cluster.bootstrap_servers
        else:
            controller_port = self.kafka_port + 1 if self.kafka_port == 9092 else free_port()
            self.kafka = LocalKafka(
                self.cache_dir, kafka_dir, port=self.kafka_port, controller_port=controller_port, security=self.security
            ).start()
            self.bootstrap_servers = self.kafka.bootstrap_servers
        if self.security is not None:
            asyncio.run(
                grant(self.bootstrap_servers, client_options(self.client_settings(ADMIN)), prefix=self.topic_prefix)
            )
        return self

    def service_database_url(self, service: str) -> str:
        """What ``service`` connects to PostgreSQL as: its own role on a server this stack started, else the
        configured URL (whoever gave it provisions that server's roles)."""
        if self.postgres is None:
            return self.database_url
        return self.postgres.role_url(service_role(service))

    def client_env(self, principal: str) -> dict[str, str]:
        """The Kafka credentials of ``principal`` as a process's environment (none in plaintext mode)."""
        return self.security.client_env(principal) if self.security is not None else {}

    def client_settings(self, principal: str, settings: Settings | None = None) -> Settings:
        """``settings`` (by default the environment's) connecting to this stack's Kafka as ``principal``."""
        settings = (settings or Settings()).model_copy(update={"kafka_bootstrap_servers": self.bootstrap_servers})
        if self.security is None:
            return settings
        return settings.model_copy(
            update={
                "kafka_security": "scram",
                "kafka_username": principal,
                "kafka_password": SecretStr(self.security.password(principal)),
                "kafka_ca_file": self.security.ca_file,
            }
        )

    def stopped(self) -> dict[str, str]:
        """What this stack started and is no longer running → how it ended and what that means (for the supervisor
        to report)."""
        down = {}
        if self.kafka is not None and self.kafka.process is not None and not self.kafka.process.running():
            down["Kafka"] = (
                f"exit code {self.kafka.process.exit_code}, log {self.kafka.process.log_path}; the services wait for it"
            )
        if self.cluster is not None:
            for i, process in self.cluster.processes.items():
                if not process.running():
                    down[f"Kafka broker {i}"] = (
                        f"exit code {process.exit_code}, log {process.log_path}; the other brokers carry on"
                    )
        if self.postgres is not None and running_server_url(self.postgres.data_dir) is None:
            down["PostgreSQL"] = f"its server in {self.postgres.data_dir} is gone; the services wait for it"
        return down

    def restart(self, what: str) -> None:
        """Start again what ``stopped`` named, with its data: the same ports, socket and passwords, so every service's
        settings still hold. KafkaStartError or PostgresStartError when it does not come up."""
        if what == "Kafka" and self.kafka is not None:
            self.kafka.start()
        elif what.startswith("Kafka broker ") and self.cluster is not None:
            self.cluster.start_broker(int(what.removeprefix("Kafka broker ")))
        elif what == "PostgreSQL" and self.postgres is not None:
            self.postgres.restart()
        else:
            raise ValueError(f"this stack did not start {what!r}")

    def stop(self) -> None:
        if self.kafka is not None:
            self.kafka.stop()
        if self.cluster is not None:
            self.cluster.stop()
        if self.postgres is not None:
            self.postgres.stop()


@dataclass
class ServiceProcesses:
    """The services, the mocked gateway and the mail sink, as processes sharing one configuration."""

    log_dir: Path
    env: dict[str, str]
    gateway_port: int = 8470
    mail_port: int = 8025
    portal_port: int = 8480
    status_api_port: int = 8490
    mail_folder: Path | None = None
    """Where the mail sink keeps what the notifier sends; beside the logs unless given."""
    credentials: Callable[[str], dict[str, str]] | None = None
    """Service name → the environment with its own Kafka principal's credentials (secure mode)."""
    database_urls: Callable[[str], str] | None = None
    """Service name → the URL of its own PostgreSQL role; else every service has ``env``'s DATABASE_URL."""
    python: str = sys.executable
    """The interpreter the services run under: this one, or an installed package's (tests/integration/
    test_installed_package.py)."""
    cwd: Path | None = None
    """Their working folder; ``python -m`` puts it first on the import path."""
    processes: dict[str, ManagedProcess] = field(default_factory=dict)
    launches: dict[str, tuple[str, dict[str, str], str]] = field(default_factory=dict)
    """Process key → how it was started (module, extra environment, instance), so it can be started again."""

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    @property
    def mail_dir(self) -> Path:
        return self.mail_folder or self.log_dir.parent / "mail"

    def start_gateway(self) -> ManagedProcess:
        process = self._start("digipoort_mock", {"DIGIPOORT_MOCK_PORT": str(self.gateway_port)})
        wait_until(lambda: port_open(self.gateway_port) or not process.running(), timeout=30, what="the mocked gateway")
        if not process.running():
            raise RuntimeError(f"the mocked gateway exited at start:\n{process.tail()}")
        return process

    def start_mail_sink(self) -> ManagedProcess:
        process = self._start(
            "mail_sink", {"MAIL_SINK_PORT": str(self.mail_port), "MAIL_SINK_FOLDER": str(self.mail_dir)}
        )
        wait_until(lambda: port_open(self.mail_port) or not process.running(), timeout=30, what="the mail sink")
        if not process.running():
            raise RuntimeError(f"the mail sink exited at start:\n{process.tail()}")
        return process

    @property
    def portal_key_file(self) -> Path:
        """The key that seals the portal's second factors in this stack, made once (0600) beside the logs."""
        return self.log_dir.parent / "portal" / "second_factor.key"

    def portal_secrets(self) -> dict[str, str]:
        """The portal's second-factor key, unless the environment gives one: every portal process of this stack
        (and every start of it) opens what another sealed."""
        if PORTAL_KEY in self.env or PORTAL_KEY in os.environ:
            return {}
        return {PORTAL_KEY: made_once(self.portal_key_file)}

    def start_service(self, name: str, *, instance: str = "", **extra_env: str) -> ManagedProcess:
        """Start one process of ``name``; give ``instance`` to run several of one service side by side."""
        credentials = self.credentials(name) if self.credentials is not None else {}
        database = {"DATABASE_URL": self.database_urls(name)} if self.database_urls is not None else {}
        return self._start(
            name,
            {
                **credentials,
                **database,
                **(self.portal_secrets() if name == "portal" else {}),
                "ACCORDEER_GATEWAY_URL": self.gateway_url,
                "ACCORDEER_NOTIFIER_SMTP_PORT": str(self.mail_port),
                "ACCORDEER_PORTAL_PORT": str(self.portal_port),
                "ACCORDEER_STATUS_API_PORT": str(self.status_api_port),
                **extra_env,
            },
            instance=instance,
        )

    def start_all(self, ops: dict[str, int] | None = None) -> None:
        self.start_gateway()
        self.start_mail_sink()
        ports = ops or OPS_PORTS
        for name in SERVICES:
            # the portal's operator page asks each service whether it is ready
            known = {"ACCORDEER_OPS_ENDPOINTS": endpoints_setting(ports)} if name == "portal" else {}
            self.start_service(name, ACCORDEER_HTTP_PORT=str(ports[name]), **known)

    def relaunch(self, key: str) -> ManagedProcess:
        """Start process ``key`` again as it was started before (after it stopped)."""
        name, extra_env, instance = self.launches[key]
        return self._start(name, extra_env, instance=instance)

    def stop_all(self, grace_seconds: float = 10.0) -> None:
        """Every process stopped together: they depend on Kafka and PostgreSQL, not on each other."""
        stop_together(self.processes.values(), grace_seconds)

    def _start(self, name: str, extra_env: dict[str, str], *, instance: str = "") -> ManagedProcess:
        key = f"{name}-{instance}" if instance else name
        process = ManagedProcess(
            name=key,
            argv=[self.python, "-m", f"services.{name}"],
            log_path=self.log_dir / f"{key}.log",
            env={**self.env, **extra_env},
            cwd=self.cwd,
        ).start()
        self.processes[key] = process
        self.launches[key] = (name, extra_env, instance)
        return process
