"""The directory on ``directory.parties``: read all of it as it is now, and publish a change set to it.

Reading joins no consumer group and commits nothing: it reads every partition
from its beginning up to the end offsets taken when it starts, so what is
published meanwhile is left for the next read.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaConsumer, TopicPartition

from accordeer.directory.changes import Changes
from accordeer.kafka_io import publish
from shared.contracts.directory import Party
from shared.directory.records import party_change
from shared.kafka.admin import partitions_of
from shared.kafka.security import client_options


async def read_directory(bootstrap_servers: str, topic: str, *, timeout: float = 60) -> dict[str, Party]:
    """Every party on the topic now, by organisation_person_id (the latest record per key; a tombstone removes)."""
    parties: dict[str, Party] = {}
    async with _consumer(bootstrap_servers, topic) as (consumer, partitions):
        ends = await consumer.end_offsets(partitions)
        # Seeking explicitly: seek_to_beginning right after end_offsets was seen to land at the end instead.
        for tp, start in (await consumer.beginning_offsets(partitions)).items():
            consumer.seek(tp, start)
        deadline = asyncio.get_running_loop().time() + timeout
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"could not read {topic} to its end within {timeout:.0f}s")
            for tp, records in (await consumer.getmany(timeout_ms=500)).items():
                for record in (r for r in records if r.offset < ends[tp]):  # a key lives in one partition, in order
                    _apply(parties, record)
    return parties


async def end_offsets(bootstrap_servers: str, topic: str) -> dict[int, int]:
    """Partition → the offset the next record will get; all zero when nothing was ever published."""
    async with _consumer(bootstrap_servers, topic) as (consumer, partitions):
        return {tp.partition: end for tp, end in (await consumer.end_offsets(partitions)).items()}


async def publish_changes(bootstrap_servers: str, topic: str, changes: Changes) -> int:
    """Publishes the change set (idempotent producer, every record acknowledged); returns how many records."""
    records = changes.records()
    if records:
        await publish(bootstrap_servers, topic, records)
    return len(records)


def _apply(parties: dict[str, Party], record) -> None:
    change = party_change(record)  # an unreadable record raises: the CLI must not publish over what it cannot read
    if change.party is None:
        parties.pop(change.organisation_person_id, None)
    else:
        parties[change.organisation_person_id] = change.party


@asynccontextmanager
async def _consumer(bootstrap_servers: str, topic: str) -> AsyncIterator[tuple[AIOKafkaConsumer, list[TopicPartition]]]:
    partitions = await partitions_of(bootstrap_servers, topic)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        client_id="accordeer-directory",
        **client_options(),
    )
    try:
        await consumer.start()
        consumer.assign(partitions)
        yield consumer, partitions
    finally:
        await consumer.stop()
