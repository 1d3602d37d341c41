"""The per-source inbound topics ``declarations.from.<source>``: one per source of the authorisations file.

Created like the product's other topics (declarations.inbound's partition count,
the environment's replication); existing ones are kept. Intake finds a topic
created later by its pattern subscription, without a restart. Called by whoever
sets the system up (with admin rights on a secure broker), never by intake.
"""

import contextlib
from pathlib import Path

import yaml
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.kafka.admin import replication_of, topic_spec
from shared.kafka.producer import MAX_RECORD_BYTES
from shared.kafka.security import client_options
from shared.settings import Settings
from shared.topics import Topics


def source_names(authorisations_file: Path) -> list[str]:
    """The sources the file registers (its ``sources:`` keys), sorted."""
    document = yaml.safe_load(authorisations_file.read_text()) or {}
    return sorted(str(name) for name in (document.get("sources") or {}))


def source_topics(topics: Topics, authorisations_file: Path) -> dict[str, int]:
    """Per-source topic name → partition count (that of declarations.inbound)."""
    partitions = topic_spec(topics.prefix)[topics.inbound]
    return {topics.inbound_from(source): partitions for source in source_names(authorisations_file)}


async def ensure_source_topics(settings: Settings, authorisations_file: Path | None = None) -> list[str]:
    """Create the missing per-source topics; returns the names created."""
    wanted = source_topics(settings.topics, authorisations_file or settings.config_dir / "authorisations.yaml")
    replication = replication_of(settings.kafka_environment)
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers, client_id="accordeer-admin", **client_options(settings)
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(
                name,
                partitions,
                replication_factor=replication.replication_factor,
                topic_configs={
                    "max.message.bytes": str(MAX_RECORD_BYTES),
                    "min.insync.replicas": str(replication.min_insync_replicas),
                },
            )
            for name, partitions in wanted.items()
            if name not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another process created them meanwhile
                await admin.create_topics(missing)
        return [t.name for t in missing]
    finally:
        await admin.close()
