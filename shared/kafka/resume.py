"""Where a consumer starts reading a partition it is given: at the next record its service has applied.

The service's inbox positions (shared/db/inbox.py) are the truth of what it applied; the group's committed offsets
follow them, committed only after the database transaction. They differ in two cases. After a crash between the
two commits the position is ahead: the records in between were applied, and the inbox would skip them anyway.
After PostgreSQL was restored from a backup the position is *behind*: the records since the backup are no longer
applied, and starting at the committed offsets would skip them for good. So on every assignment each partition
starts at its stored position, and the records since a backup are read and applied again, within the topics'
retention (docs/deploy.md, "Restoring PostgreSQL"). A partition without a stored position has had nothing applied
from it (a new group or topic, or a backup older than the service's first record from it), so it starts at its
beginning. (`accordeer positions forget` stores the group's committed offsets as the positions.)

The positions are read when partitions are assigned, before the first fetch; if PostgreSQL does not answer within
``WAIT_SECONDS`` the consumer starts at the committed offsets, as it did before this existed, and says so.

Reading again brings a race the first reading never had: workflow reads items and the actions on them from
different topics, and an action exists only once its item was applied, but read again both are behind and an
action's partition may be fetched before its item's (it would be refused: no such item). So a service may name
topics it ``applies_first``: its other partitions are paused when assigned until the group's stored positions
(every member's) have reached the end those topics had at the assignment, at most ``HOLD_SECONDS``.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import structlog
from aiokafka import ConsumerRebalanceListener, TopicPartition
from tenacity import AsyncRetrying, retry_if_result, stop_after_delay, wait_fixed

from shared.kafka.commits import CommitPacer

log = structlog.get_logger(__name__)

AppliedPositions = Callable[[list[TopicPartition]], Awaitable[dict[TopicPartition, int]]]
"""The next offset applied per partition, of the partitions given that have one."""

WAIT_SECONDS = 30.0
HOLD_SECONDS = 120.0
"""The longest the other partitions wait for the first topics (a partition stuck on a failing record would hold
them for ever); then they are read anyway, and that is said."""


class ResumeAtApplied(ConsumerRebalanceListener):
    """A rebalance listener that moves each assigned partition to the service's stored position."""

    def __init__(self, applied: AppliedPositions, group_id: str, *, applies_first: frozenset[str] = frozenset()):
        self.applied = applied
        self.group_id = group_id
        self.applies_first = applies_first
        """Topics whose records are applied before the other partitions are read (see above)."""
        self.subscriber: Any = None
        """The FastStream subscriber, set once it exists; its ``consumer`` is the AIOKafkaConsumer to move."""
        self._holding: asyncio.Task[None] | None = None
        self.pacer: CommitPacer | None = None
        """Commits the applied offsets (shared/kafka/commits.py); what it holds back is committed before a
        partition is given away."""

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        if self._holding is not None:
            self._holding.cancel()  # a new assignment holds afresh
            self._holding = None
        if self.pacer is not None and self.subscriber is not None and self.subscriber.consumer is not None:
            await self.pacer.commit(self.subscriber.consumer, revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        if not assigned or self.subscriber is None or self.subscriber.consumer is None:
            return
        consumer = self.subscriber.consumer
        # Paused before the first await: aiokafka fetches at the group's committed offsets while this listener
        # waits for PostgreSQL, and after a restore a record fetched there was applied before its partition was
        # moved (an action read before its item, in a drill). A paused partition's fetched records are dropped.
        consumer.pause(*assigned)
        try:
            async with asyncio.timeout(WAIT_SECONDS):
                positions = await self._read(sorted(assigned))
        except (OSError, TimeoutError, asyncpg.PostgresError) as error:
            log.error(
                "stored positions not read; reading from the group's committed offsets instead (after a restore of"
                " PostgreSQL, restart the service once it answers)",
                group_id=self.group_id,
                error=str(error) or type(error).__name__,
            )
            consumer.resume(*(p for p in assigned if p in consumer.assignment()))
            return
        held = consumer.assignment()
        for partition, offset in positions.items():
            if partition in held:
                consumer.seek(partition, offset)
        for partition in sorted(assigned):
            if partition in held and partition not in positions:
                # Offset 0, not seek_to_beginning: that waits for the fetcher, which waits for this rebalance to end.
                # Below a partition's first kept record, the consumer's reset policy (earliest) moves it up.
                consumer.seek(partition, 0)
        later = sorted(p for p in held if p.topic not in self.applies_first)
        if self.applies_first and later:
            consumer.resume(*(p for p in held if p.topic in self.applies_first))
            self._holding = asyncio.create_task(self._resume_once_first_applied(consumer, later))
        else:
            consumer.resume(*held)

    async def _resume_once_first_applied(self, consumer: Any, later: list[TopicPartition]) -> None:
        first = [
            TopicPartition(topic, partition)
            for topic in sorted(self.applies_first)
            for partition in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        try:
            ends = await consumer.end_offsets(first) if first else {}
            behind: list[TopicPartition] = await AsyncRetrying(
                retry=retry_if_result(bool),
                wait=wait_fixed(0.2),
                stop=stop_after_delay(HOLD_SECONDS),
                retry_error_callback=lambda state: state.outcome.result() if state.outcome else first,
            )(self._behind, ends)
            if behind:
                log.warning(
                    "reading on before the topics applied first were caught up",
                    group_id=self.group_id,
                    behind=[f"{p.topic}[{p.partition}]" for p in behind],
                )
        except Exception as error:  # a hold that cannot be judged must not stop the consumer: it reads on
            log.warning("reading on without holding", group_id=self.group_id, error=str(error) or repr(error))
        # Only what this consumer still holds: a rebalance since has cancelled this task or reassigned them.
        consumer.resume(*(p for p in later if p in consumer.assignment()))

    async def _behind(self, ends: dict[TopicPartition, int]) -> list[TopicPartition]:
        """The first topics' partitions the group has not applied up to ``ends``."""
        try:
            stored = await self.applied(list(ends))
        except (OSError, asyncpg.PostgresError):
            return list(ends)  # PostgreSQL restarting: asked again
        return [p for p, end in ends.items() if stored.get(p, 0) < end]

    async def _read(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        while True:
            try:
                return await self.applied(partitions)
            except (OSError, asyncpg.PostgresError):
                await asyncio.sleep(1)  # PostgreSQL restarting: until it answers, within WAIT_SECONDS
