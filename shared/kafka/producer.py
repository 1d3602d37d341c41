"""The producer every service publishes through: idempotent, so acks=all and no duplicates on retry."""

from aiokafka import AIOKafkaProducer

from shared.kafka.security import client_options
from shared.settings import Settings

MAX_RECORD_BYTES = 4 * 1024 * 1024
"""Declarations carry their document; topics are created to accept records up to this size."""

METADATA_MAX_AGE_MS = 10_000
"""How old a client's view of partition leaders may get (aiokafka's default is 5 minutes). A consumer whose
offset fetch keeps failing with NotLeaderForPartition after a broker restart does not refresh it by itself,
so it would wait up to that long before following the new leader."""


def create_producer(bootstrap_servers: str, *, client_id: str, settings: Settings | None = None) -> AIOKafkaProducer:
    """``settings``: whose Kafka credentials to use; by default the environment's."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        max_request_size=MAX_RECORD_BYTES,
        metadata_max_age_ms=METADATA_MAX_AGE_MS,
        compression_type=None,
        **client_options(settings),
    )
