"""Creates the product's topics with the partition counts and the environment's replication of deploy/topics.yaml
(existing ones are kept)."""

import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError, TopicAuthorizationFailedError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

from shared.kafka.producer import MAX_RECORD_BYTES
from shared.kafka.security import client_options
from shared.settings import Settings
from shared.topics import OPERATOR_WRITER, Topics


def topics_file(settings: Settings | None = None) -> Path:
    """deploy/topics.yaml of the settings' deploy folder: the topics, their partitions and replication."""
    return (settings or Settings()).deploy_dir / "topics.yaml"


TOPIC_AUTHORIZATION_FAILED = TopicAuthorizationFailedError.errno


def topic_spec(prefix: str = "", path: Path | None = None) -> dict[str, int]:
    """Topic name (with prefix) → partition count."""
    return {name: partitions for name, (partitions, _) in _topics(prefix, path).items()}


def _topics(prefix: str, path: Path | None = None) -> dict[str, tuple[int, dict[str, str]]]:
    """Topic name (with prefix) → (partition count, topic settings)."""
    document = yaml.safe_load((path or topics_file()).read_text())
    return {
        f"{prefix}{name}": (int(spec["partitions"]), {k: str(v) for k, v in spec.get("config", {}).items()})
        for name, spec in document["topics"].items()
    }


@dataclass(frozen=True)
class Replication:
    """How many copies a topic keeps, and how many must hold a record before an acks=all write is acknowledged."""

    replication_factor: int
    min_insync_replicas: int


def replication_of(environment: str, path: Path | None = None) -> Replication:
    """The replication settings of ``environment`` (local, cluster, ...) in deploy/topics.yaml."""
    path = path or topics_file()
    environments = yaml.safe_load(path.read_text())["environments"]
    if environment not in environments:
        raise ValueError(f"unknown Kafka environment {environment!r}; {path.name} knows {', '.join(environments)}")
    spec = environments[environment]
    return Replication(int(spec["replication_factor"]), int(spec["min_insync_replicas"]))


async def partitions_of(bootstrap_servers: str, topic: str) -> list[TopicPartition]:
    """The topic's partitions, sorted; raises LookupError when the topic does not exist."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="accordeer-admin", **client_options())
    await admin.start()
    try:
        [description] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return partitions_in(description)


def partitions_in(description: dict[str, Any]) -> list[TopicPartition]:
    """The partitions of a described topic, sorted; a refusal is named as one (a principal without a right on a
    topic is told so, not that the topic is missing), a missing topic as missing."""
    topic = description["topic"]
    if description["error_code"] == TOPIC_AUTHORIZATION_FAILED:
        raise LookupError(
            f"Kafka does not let {Settings().kafka_username or 'this client'} see topic {topic}: "
            "its ACLs (shared/topology.py, deploy/kafka_acls.yaml) give it no right there"
        )
    if description["error_code"] != 0 or not description["partitions"]:
        raise LookupError(f"topic {topic} does not exist; is the system set up (accordeer setup)?")
    return sorted(TopicPartition(topic, p["partition"]) for p in description["partitions"])


async def _until_led(
    admin: AIOKafkaAdminClient, bootstrap_servers: str, topics: list[str], settings: Settings | None = None
) -> None:
    """Wait until every partition of ``topics`` has a leader that answers: a client that reads a new topic at
    once otherwise gets NotLeaderForPartition errors (logged as errors) for its first requests."""
    async for attempt in AsyncRetrying(
        stop=stop_after_delay(30),
        wait=wait_exponential(multiplier=0.05, max=1),
        retry=retry_if_exception_type(LookupError),
        reraise=True,
    ):
        with attempt:
            described = await admin.describe_topics(topics)
            leaderless = [
                d["topic"] for d in described if d["error_code"] != 0 or any(p["leader"] < 0 for p in d["partitions"])
            ]
            if leaderless:
                raise LookupError(f"topics without a leader yet: {', '.join(leaderless)}")
    partitions = [TopicPartition(d["topic"], p["partition"]) for d in described for p in d["partitions"]]
    probe = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, client_id="accordeer-admin", **client_options(settings)
    )
    await probe.start()
    fetcher_log = logging.getLogger("aiokafka.consumer.fetcher")
    fetcher_log.addFilter(_not_leader_yet)
    try:
        # Assigned first, the probe asks metadata for every topic at once; unassigned, aiokafka learns of one
        # unknown topic per retry (100 ms each: 3.5 s for the product's 35 topics instead of 0.7 s).
        probe.assign(partitions)
        await probe.end_offsets(partitions)  # aiokafka retries until the leaders answer
    finally:
        fetcher_log.removeFilter(_not_leader_yet)
        await probe.stop()


def _not_leader_yet(record: logging.LogRecord) -> bool:
    return "NotLeaderForPartition" not in record.getMessage()


def source_topic_spec(
    prefix: str, sources: Iterable[str], path: Path | None = None
) -> dict[str, tuple[int, dict[str, str]]]:
    """Each source's own topics (inbound, statuses, refusals), like the shared topic each one stands beside in the
    topics table ``path`` (by default the settings')."""
    product, topics = _topics(prefix, path), Topics(prefix)
    return {
        own: product[shared]
        for source in sources
        for own, shared in zip(
            topics.source_topics(source), (topics.inbound, topics.status, topics.refused), strict=True
        )
    }


def writer_topic_spec(
    prefix: str, writers: Iterable[str], path: Path | None = None
) -> dict[str, tuple[int, dict[str, str]]]:
    """Each writer's own actions topic, like the shared workflow.actions in the topics table ``path``, and its own
    set-up topic, like the operator's."""
    product, topics = _topics(prefix, path), Topics(prefix)
    return {
        own: product[like]
        for writer in writers
        for own, like in (
            (topics.actions_from(writer), topics.workflow_actions),
            (topics.setup_from(writer), topics.setup_from(OPERATOR_WRITER)),
        )
    }


def wanted_topics(
    prefix: str,
    replication: Replication,
    *,
    sources: Iterable[str] = (),
    writers: Iterable[str] = (),
    path: Path | None = None,
) -> dict[str, tuple[int, dict[str, str]]]:
    """Every topic the system needs (the product's, ``sources``' own and ``writers``' own) → its partitions and its
    topic settings: what `accordeer setup` creates and the Helm chart's KafkaTopics declare."""
    return {
        name: (
            partitions,
            {
                "max.message.bytes": str(MAX_RECORD_BYTES),
                "min.insync.replicas": str(replication.min_insync_replicas),
                **config,
            },
        )
        for name, (partitions, config) in (
            _topics(prefix, path) | source_topic_spec(prefix, sources, path) | writer_topic_spec(prefix, writers, path)
        ).items()
    }


async def ensure_topics(
    bootstrap_servers: str,
    prefix: str = "",
    environment: str | None = None,
    *,
    sources: Iterable[str] = (),
    writers: Iterable[str] = (),
    settings: Settings | None = None,
) -> list[str]:
    """Create what is missing of the product's topics, ``sources``' own and ``writers``' own, with the replication of
    ``environment`` (by default the setting ACCORDEER_KAFKA_ENVIRONMENT, else local), as the client ``settings``
    give (by default the environment's); returns the names created."""
    # ``settings`` None keeps its meaning for the client: the principal of ``as_principal``, else the environment's.
    configured = settings or Settings()
    table = topics_file(configured)
    replication = replication_of(environment or configured.kafka_environment, table)
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers, client_id="accordeer-admin", **client_options(settings)
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name, partitions, replication_factor=replication.replication_factor, topic_configs=config)
            for name, (partitions, config) in wanted_topics(
                prefix, replication, sources=sources, writers=writers, path=table
            ).items()
            if name not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another process created them meanwhile
                await admin.create_topics(missing)
            await _until_led(admin, bootstrap_servers, [t.name for t in missing], settings)
        return [t.name for t in missing]
    finally:
        await admin.close()


def retriable(error: BaseException) -> bool:
    """A Kafka error the client library calls passing (a leader moving, a coordinator loading): worth a retry."""
    return isinstance(error, KafkaError) and error.retriable
