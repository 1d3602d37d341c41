"""Batch subscribers with the product's delivery semantics on top of FastStream.

FastStream's default policy commits before processing (a crash loses the
batch). Here the offsets are committed only after ``apply`` returned, i.e.
after its database transaction committed. When ``apply`` fails, the batch is
retried with exponential backoff for a bounded time, then the consumer is
rewound to the batch's first records (``nack``) and polls again, so the
partition is never skipped and the consumer never exceeds its poll interval.
Bad records are the use case's business (dead letters), not an exception here.
"""

import logging
from collections.abc import Awaitable, Callable, Sequence

from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential_jitter

from shared.kafka.producer import MAX_RECORD_BYTES

log = logging.getLogger(__name__)

ApplyBatch = Callable[[Sequence[ConsumerRecord]], Awaitable[None]]


async def _raw_values(message: KafkaMessage) -> list[bytes | None]:
    """No decoding by FastStream: a malformed record must reach the use case, which dead-letters it."""
    return [record.value for record in message.raw_message]


def subscribe_batches(
    broker: KafkaBroker,
    topic: str | list[str],
    *,
    group_id: str,
    apply: ApplyBatch,
    max_records: int = 500,
    batch_timeout_ms: int = 50,
    retry_for_seconds: float = 60.0,
    title: str | None = None,
    description: str | None = None,
) -> None:
    """Register a batch subscriber on ``topic`` (or several topics: one consumer, one group member) that calls
    ``apply`` and commits only after it succeeds."""
    topics = [topic] if isinstance(topic, str) else topic

    @broker.subscriber(
        *topics,
        group_id=group_id,
        batch=True,
        max_records=max_records,
        batch_timeout_ms=batch_timeout_ms,
        ack_policy=AckPolicy.MANUAL,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=MAX_RECORD_BYTES,
        fetch_max_bytes=4 * MAX_RECORD_BYTES,
        decoder=_raw_values,
        title=title,
        description=description,
    )
    async def on_batch(_: list, message: KafkaMessage) -> None:
        records: tuple[ConsumerRecord, ...] = message.raw_message
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_delay(retry_for_seconds),
                wait=wait_exponential_jitter(multiplier=0.2, max=10),
                retry=retry_if_exception_type(Exception),
                reraise=True,
            ):
                with attempt:
                    await apply(records)
        except Exception:
            log.exception("batch of %d records from %s failed; rewinding to retry", len(records), ", ".join(topics))
            await message.nack()
            return
        await message.ack()
