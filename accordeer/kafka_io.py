"""Kafka for people at the CLI: publish a record, and follow the status (and task) topics from now on."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaConsumer
from pydantic import BaseModel

from shared.contracts.record import READ_BACK
from shared.contracts.status import StatusEvent
from shared.kafka.admin import partitions_of
from shared.kafka.producer import create_producer
from shared.kafka.security import client_options


async def publish(bootstrap_servers: str, topic: str, records: Sequence[tuple[str | None, bytes | None]]) -> None:
    """Publish and wait for every acknowledgement; a value None is a tombstone (compacted topics)."""
    producer = create_producer(bootstrap_servers, client_id="accordeer-cli")
    await producer.start()
    try:
        sent = [await producer.send(topic, value=value, key=key.encode() if key else None) for key, value in records]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


class StatusFollower:
    """Reads its topics from the positions they had when opened; no consumer group, commits nothing.
    Each record is read as the model of its topic (by default every topic is messages.status); a topic whose
    model is None yields its records as they are."""

    def __init__(self, consumer: AIOKafkaConsumer, models: dict[str, type[BaseModel] | None] | None = None):
        self.consumer = consumer
        self.models = models or {}

    async def events(self, timeout: float) -> AsyncIterator:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (left := deadline - loop.time()) > 0:
            batches = await self.consumer.getmany(timeout_ms=int(min(left, 0.5) * 1000))
            for records in batches.values():
                for record in records:
                    model = self.models.get(record.topic, StatusEvent)
                    yield record if model is None else model.model_validate_json(record.value, context=READ_BACK)


@asynccontextmanager
async def follow_status(
    bootstrap_servers: str, topic: str, also: dict[str, type[BaseModel] | None] | None = None
) -> AsyncIterator[StatusFollower]:
    """Follow ``topic`` (messages.status) and the topics in ``also``, read as their models."""
    partitions = [tp for name in (topic, *(also or {})) for tp in await partitions_of(bootstrap_servers, name)]
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        enable_auto_commit=False,
        client_id="accordeer-cli-status",
        **client_options(),
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        for tp in partitions:
            await consumer.position(tp)  # resolve "end" now, before anything is published
        yield StatusFollower(consumer, also)
    finally:
        await consumer.stop()
