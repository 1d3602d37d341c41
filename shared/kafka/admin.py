"""Creates the product's topics with the partition counts of deploy/topics.yaml (existing ones are kept)."""

from pathlib import Path

import yaml
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.kafka.producer import MAX_RECORD_BYTES
from shared.settings import REPO_ROOT

TOPICS_FILE = REPO_ROOT / "deploy" / "topics.yaml"


def topic_spec(prefix: str = "", path: Path = TOPICS_FILE) -> dict[str, int]:
    """Topic name (with prefix) → partition count."""
    document = yaml.safe_load(path.read_text())
    return {f"{prefix}{name}": int(spec["partitions"]) for name, spec in document["topics"].items()}


async def partitions_of(bootstrap_servers: str, topic: str) -> list[TopicPartition]:
    """The topic's partitions, sorted; raises LookupError when the topic does not exist."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="accordeer-admin")
    await admin.start()
    try:
        [description] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    if description["error_code"] != 0 or not description["partitions"]:
        raise LookupError(f"topic {topic} does not exist; is the system set up (accordeer setup)?")
    return sorted(TopicPartition(topic, p["partition"]) for p in description["partitions"])


async def ensure_topics(bootstrap_servers: str, prefix: str = "") -> list[str]:
    """Create what is missing; returns the names created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="accordeer-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name, partitions, replication_factor=1,
                     topic_configs={"max.message.bytes": str(MAX_RECORD_BYTES)})
            for name, partitions in topic_spec(prefix).items() if name not in existing
        ]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass  # another process created them meanwhile
        return [t.name for t in missing]
    finally:
        await admin.close()
