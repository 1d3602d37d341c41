"""The producer every service publishes through: idempotent, so acks=all and no duplicates on retry."""

from aiokafka import AIOKafkaProducer

from shared.kafka.security import client_options
from shared.settings import Settings

MAX_RECORD_BYTES = 4 * 1024 * 1024
"""Declarations carry their document; topics are created to accept records up to this size."""


def create_producer(bootstrap_servers: str, *, client_id: str, settings: Settings | None = None) -> AIOKafkaProducer:
    """``settings``: whose Kafka credentials to use; by default the environment's."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        max_request_size=MAX_RECORD_BYTES,
        compression_type=None,
        **client_options(settings),
    )
