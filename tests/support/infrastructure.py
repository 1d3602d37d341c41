"""Real Kafka and PostgreSQL for a test session: from the environment, from Docker, or started here.

Order: ``KAFKA_BOOTSTRAP_SERVERS`` / ``DATABASE_URL`` when set; otherwise
testcontainers when a Docker engine answers; otherwise the local stack (Kafka
jars from Maven Central, embedded PostgreSQL). If none works the session
fails with the reason: tests that need infrastructure never skip.
"""

import os
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from accordeer.localstack.kafka import LocalKafka, free_port
from accordeer.localstack.postgres import LocalPostgres
from accordeer.localstack.stack import with_database
from accordeer.paths import TOOLS_CACHE
from shared.db.roles import as_role


@dataclass(frozen=True)
class Infrastructure:
    bootstrap_servers: str
    database_url: str
    """A superuser's: to make each test's database, and for a test's look behind the scenes."""
    origin: str
    role_passwords: Mapping[str, str] | None = None
    """The roles' passwords (shared/db/roles.py) on a server started here: each test's services then connect as
    their own roles, as in the local stack; None where the server is given, whose roles the tests do not know."""

    def role_url(self, database: str, role: str) -> str:
        """``database`` on this server logging in as ``role`` (the superuser's URL where roles are not known)."""
        url = with_database(self.database_url, database)
        return url if self.role_passwords is None else as_role(url, role, self.role_passwords[role])


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


@contextmanager
def _from_docker(stack: ExitStack) -> Iterator[tuple[str, str]]:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.postgres import PostgresContainer

    kafka = stack.enter_context(KafkaContainer("confluentinc/cp-kafka:7.6.0").with_kraft())
    postgres = stack.enter_context(PostgresContainer("postgres:16", driver=None))
    yield kafka.get_bootstrap_server(), postgres.get_connection_url()


def shared_kafka(work_dir: Path) -> LocalKafka | None:
    """One broker for every test process of a run, started before they are: each test has topics and groups of
    its own under a prefix, so they share a broker as they share one within a process, and the run starts one
    JVM instead of one per process. None where the environment or Docker provides Kafka."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or (
        os.environ.get("ACCORDEER_TEST_DOCKER", "auto") != "never" and _docker_answers()
    ):
        return None
    return LocalKafka(TOOLS_CACHE, work_dir, port=free_port(), controller_port=free_port()).start()


@contextmanager
def session_infrastructure(work_dir: Path) -> Iterator[Infrastructure]:
    with ExitStack() as stack:
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "")
        database = os.environ.get("DATABASE_URL", "")
        origin = "environment"
        if (
            not (bootstrap and database)
            and os.environ.get("ACCORDEER_TEST_DOCKER", "auto") != "never"
            and _docker_answers()
        ):
            docker_bootstrap, docker_database = stack.enter_context(_from_docker(stack))
            bootstrap, database, origin = bootstrap or docker_bootstrap, database or docker_database, "testcontainers"
        passwords = None
        if not database:
            postgres = LocalPostgres(work_dir / "postgres", durable=False).start()
            stack.callback(postgres.stop)
            database, origin, passwords = postgres.url, "local", postgres.passwords
        if not bootstrap:
            kafka = LocalKafka(TOOLS_CACHE, work_dir / "kafka", port=free_port(), controller_port=free_port()).start()
            stack.callback(kafka.stop)
            bootstrap, origin = kafka.bootstrap_servers, "local"
        yield Infrastructure(
            bootstrap_servers=bootstrap, database_url=database, origin=origin, role_passwords=passwords
        )
