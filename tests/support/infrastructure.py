"""Real Kafka and PostgreSQL for a test session: from the environment, from Docker, or started here.

Order: ``KAFKA_BOOTSTRAP_SERVERS`` / ``DATABASE_URL`` when set; otherwise
testcontainers when a Docker engine answers; otherwise the local stack (Kafka
jars from Maven Central, embedded PostgreSQL). If none works the session
fails with the reason: tests that need infrastructure never skip.
"""

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from accordeer.connect import CACHE_DIR
from accordeer.localstack.kafka import LocalKafka, free_port
from accordeer.localstack.postgres import LocalPostgres


@dataclass(frozen=True)
class Infrastructure:
    bootstrap_servers: str
    database_url: str
    origin: str


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
    return LocalKafka(CACHE_DIR, work_dir, port=free_port(), controller_port=free_port()).start()


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
        if not database:
            postgres = LocalPostgres(work_dir / "postgres").start()
            stack.callback(postgres.stop)
            database, origin = postgres.url, "local"
        if not bootstrap:
            kafka = LocalKafka(CACHE_DIR, work_dir / "kafka", port=free_port(), controller_port=free_port()).start()
            stack.callback(kafka.stop)
            bootstrap, origin = kafka.bootstrap_servers, "local"
        yield Infrastructure(bootstrap_servers=bootstrap, database_url=database, origin=origin)
