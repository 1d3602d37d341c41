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
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import structlog
from aiokafka import ConsumerRebalanceListener, TopicPartition

log = structlog.get_logger(__name__)

AppliedPositions = Callable[[list[TopicPartition]], Awaitable[dict[TopicPartition, int]]]
"""The next offset applied per partition, of the partitions given that have one."""

WAIT_SECONDS = 30.0


class ResumeAtApplied(ConsumerRebalanceListener):
    """A rebalance listener that moves each assigned partition to the service's stored position."""

    def __init__(self, applied: AppliedPositions, group_id: str):
        self.applied = applied
        self.group_id = group_id
        self.subscriber: Any = None
        """The FastStream subscriber, set once it exists; its ``consumer`` is the AIOKafkaConsumer to move."""

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        pass

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        if not assigned or self.subscriber is None or self.subscriber.consumer is None:
            return
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
            return
        consumer = self.subscriber.consumer
        held = consumer.assignment()
        for partition, offset in positions.items():
            if partition in held:
                consumer.seek(partition, offset)
        for partition in sorted(assigned):
            if partition in held and partition not in positions:
                # Offset 0, not seek_to_beginning: that waits for the fetcher, which waits for this rebalance to end.
                # Below a partition's first kept record, the consumer's reset policy (earliest) moves it up.
                consumer.seek(partition, 0)

    async def _read(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        while True:
            try:
                return await self.applied(partitions)
            except (OSError, asyncpg.PostgresError):
                await asyncio.sleep(1)  # PostgreSQL restarting: until it answers, within WAIT_SECONDS
