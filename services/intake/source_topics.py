"""Each source's own topics: ``declarations.from.<source>`` (it writes), ``messages.status.<source>`` and
``declarations.refused.<source>`` (it reads), for every source of the authorisations file.

Created like the product's other topics (the partition count of the shared topic each one stands beside, the
environment's replication); existing ones are kept. Intake finds an inbound topic created later by its pattern
subscription, without a restart. Called by whoever sets the system up (with admin rights on a secure broker),
never by a service.
"""

from pathlib import Path

import yaml

from shared.kafka.admin import ensure_topics, source_topic_spec
from shared.settings import Settings
from shared.topics import Topics


def source_names(authorisations_file: Path) -> list[str]:
    """The sources the file registers (its ``sources:`` keys), sorted."""
    document = yaml.safe_load(authorisations_file.read_text()) or {}
    return sorted(str(name) for name in (document.get("sources") or {}))


def source_topics(topics: Topics, authorisations_file: Path) -> dict[str, int]:
    """Each source topic's name → its partition count."""
    sources = source_names(authorisations_file)
    return {name: partitions for name, (partitions, _) in source_topic_spec(topics.prefix, sources).items()}


async def ensure_source_topics(settings: Settings, authorisations_file: Path | None = None) -> list[str]:
    """Create the missing topics of the file's sources (and of the product); returns the names created."""
    sources = source_names(authorisations_file or settings.config_dir / "authorisations.yaml")
    return await ensure_topics(
        settings.kafka_bootstrap_servers,
        settings.topic_prefix,
        settings.kafka_environment,
        sources=sources,
        settings=settings,
    )
