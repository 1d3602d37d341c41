"""Committing a consumer group's offsets at most once a second instead of after every batch.

A service's inbox positions in PostgreSQL are the truth of what it applied (shared/kafka/resume.py): every
assignment starts each partition there, and the inbox skips a record applied before. The group's committed offsets
only follow them: they feed the lag figures, and they are where a partition starts when PostgreSQL does not answer
at an assignment. Committing after every batch cost a request to the group coordinator and a write to
``__consumer_offsets`` per batch, per service; at light load nearly every record is a batch of its own, so that was
paid for nearly every record, by the service and by the broker.

So the offsets of applied batches are committed when the last commit is at least ``COMMIT_SECONDS`` old, else by a
timer at that time, before partitions are taken away, and before the consumer stops. They may then lag what was
applied by a second: the lag figures show up to a second of work already done, and a start at the committed offsets
reads it again (the inbox skips it). Only offsets of applied records are committed, never those of a batch still
being applied. A commit gives up after ``COMMIT_TIMEOUT_SECONDS`` (aiokafka retries a retriable refusal, such as a
topic deleted under the consumer, for ever) and no timer outlives the consumer: a commit not made is made by the
next one, or not needed.
"""

import asyncio
import math
import time
from collections.abc import Callable, Sequence

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError
from aiokafka.structs import OffsetAndMetadata

log = structlog.get_logger(__name__)

COMMIT_SECONDS = 1.0
COMMIT_TIMEOUT_SECONDS = 10.0
STOPPING_TIMEOUT_SECONDS = 2.0
"""A stop waits less: with the broker away it would hold up the process's stop for nothing the inbox lacks."""


class CommitPacer:
    """The applied offsets of one consumer, committed at most once per ``seconds``."""

    def __init__(self, group_id: str, *, seconds: float = COMMIT_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.group_id, self.seconds, self.clock = group_id, seconds, clock
        self.pending: dict[TopicPartition, int] = {}
        """Partition → the offset after its last applied record, not yet committed."""
        self._committed_at = -math.inf
        self._later: asyncio.Task[None] | None = None
        self._closed = False

    async def applied(self, consumer: AIOKafkaConsumer, records: Sequence[ConsumerRecord]) -> None:
        """``records`` were applied: commit now if the last commit is old enough, else see that it happens then."""
        for record in records:
            tp = TopicPartition(record.topic, record.partition)
            self.pending[tp] = max(self.pending.get(tp, 0), record.offset + 1)
        if self._closed:  # the consumer is stopping: its stop commits what is pending
            return
        due = self._committed_at + self.seconds - self.clock()
        if due <= 0:
            await self.commit(consumer)
        elif self._later is None:
            self._later = asyncio.create_task(self._commit_later(consumer, due))

    async def commit(
        self,
        consumer: AIOKafkaConsumer,
        partitions: set[TopicPartition] | None = None,
        *,
        timeout: float | None = None,
    ) -> None:
        """Commit what is pending (of ``partitions`` only, when given), giving up after ``timeout`` seconds
        (``COMMIT_TIMEOUT_SECONDS``). A refusal is logged, not raised: the inbox positions are the truth."""
        assigned = consumer.assignment()
        owned = assigned if partitions is None else partitions
        offsets = {tp: self.pending.pop(tp) for tp in list(self.pending) if tp in owned}
        self.pending = {tp: offset for tp, offset in self.pending.items() if tp in assigned}
        if not offsets:
            return
        self._committed_at = self.clock()
        try:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation.
            async with asyncio.timeout(COMMIT_TIMEOUT_SECONDS if timeout is None else timeout):
                await consumer.commit({tp: OffsetAndMetadata(offset, "") for tp, offset in offsets.items()})
        except (KafkaError, TimeoutError) as error:  # a rebalance, the coordinator moving: the inbox keeps the truth
            log.info("offsets not committed", group=self.group_id, reason=f"{type(error).__name__}: {error!s}")

    def open(self) -> None:
        """The consumer (re)starts: commits may be timed again."""
        self._closed = False

    def close(self) -> None:
        """The consumer is stopping: no timer any more (its stop commits what is pending)."""
        self._closed = True
        if self._later is not None:
            self._later.cancel()

    async def _commit_later(self, consumer: AIOKafkaConsumer, delay: float) -> None:
        try:
            await asyncio.sleep(delay)
            await self.commit(consumer)
        except Exception as error:  # a background task: say it, never let it die unseen
            log.warning("offsets not committed", group=self.group_id, reason=f"{type(error).__name__}: {error!s}")
        finally:
            self._later = None
