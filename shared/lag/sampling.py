"""Samples the product's consumer groups from Kafka: committed offsets, watermarks, members, time lag.

Commits nothing and joins no group: the committed offsets come from the admin
client, and the time lag from reading the record at each lagging partition's
position with a consumer that only assigns and seeks.
"""

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import TopicAuthorizationFailedError
from aiokafka.structs import OffsetAndMetadata
from tenacity import AsyncRetrying, retry_if_exception, stop_after_delay, wait_exponential_jitter

from shared.kafka.admin import partitions_in, retriable
from shared.kafka.producer import MAX_RECORD_BYTES
from shared.kafka.security import client_options
from shared.lag.membership import Membership, describe_group
from shared.lag.model import PartitionSample


class KafkaLagSource:
    """Open with ``async with``; ``sample`` may then be called as often as wanted."""

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        clock: Callable[[], float] = time.time,
        read_timeout: float = 3.0,
        retry_for: float = 15.0,
    ):
        self.clock = clock
        self.read_timeout = read_timeout
        self.retry_for = retry_for
        self.admin = AIOKafkaAdminClient(
            bootstrap_servers=bootstrap_servers, client_id="accordeer-lag", **client_options()
        )
        self.reader = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers,
            group_id=None,
            enable_auto_commit=False,
            client_id="accordeer-lag",
            max_partition_fetch_bytes=MAX_RECORD_BYTES,
            **client_options(),
        )
        # The record at a position does not change: while a group is stuck, its timestamp is read once.
        self._timestamps: dict[tuple[TopicPartition, int], float] = {}

    async def __aenter__(self) -> "KafkaLagSource":
        try:
            await self.admin.start()
            await self.reader.start()
        except BaseException:
            await self.__aexit__()
            raise
        return self

    async def _expanded(self, groups: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
        stems = {t.removesuffix("*") for ts in groups.values() for t in ts if t.endswith("*")}
        existing = sorted(await self.admin.list_topics()) if stems else []
        return {
            group: [
                found
                for topic in topics
                for found in ([t for t in existing if t.startswith(topic[:-1])] if topic.endswith("*") else [topic])
            ]
            for group, topics in groups.items()
        }

    async def __aexit__(self, *_: object) -> None:
        await self.reader.stop()
        await self.admin.close()

    async def sample(self, groups: Mapping[str, Sequence[str]]) -> list[PartitionSample]:
        """``groups``: consumer group → the topics it reads, a name ending in ``*`` for every existing topic that
        starts with the rest (a source's topic created later is sampled from then on). Raises LookupError for a
        missing topic."""
        groups = await self._expanded(groups)
        partitions = {topic: await self._partitions(topic) for topic in {t for ts in groups.values() for t in ts}}
        found = []
        for group, topics in groups.items():
            tps = [tp for topic in topics for tp in partitions[topic]]
            committed, membership = await self._group(group, tps)
            # Watermarks after the committed offsets, so a lag is never under-reported.
            ends = await self.reader.end_offsets(tps)
            starts = await self.reader.beginning_offsets(tps)
            at = self.clock()
            for tp in tps:
                offset = committed[tp].offset if tp in committed else -1
                found.append(
                    PartitionSample(
                        group=group,
                        topic=tp.topic,
                        partition=tp.partition,
                        at=at,
                        end=ends[tp],
                        log_start=starts[tp],
                        committed=offset if offset >= 0 else None,
                        members=membership.members,
                        owner=membership.owners.get((tp.topic, tp.partition)),
                    )
                )
        timestamps = await self._oldest_timestamps(
            {TopicPartition(s.topic, s.partition): s.position for s in found if s.lag > 0}
        )
        return [_with_timestamp(s, timestamps) for s in found]

    async def _group(
        self, group: str, tps: list[TopicPartition]
    ) -> tuple[dict[TopicPartition, OffsetAndMetadata], Membership]:
        # A group's coordinator may be loading or moving (a fresh broker, a restart): retry for a while.
        async for attempt in AsyncRetrying(
            stop=stop_after_delay(self.retry_for),
            reraise=True,
            wait=wait_exponential_jitter(multiplier=0.1, max=1.0, jitter=0.1),
            retry=retry_if_exception(retriable),
        ):
            with attempt:
                committed = await self.admin.list_consumer_group_offsets(group, partitions=tps)
                membership = await describe_group(self.admin, group)
        # The loop ends after an attempt that succeeded (reraise: the last failure is raised).
        return committed, membership

    async def _partitions(self, topic: str) -> list[TopicPartition]:
        [description] = await self.admin.describe_topics([topic])
        return partitions_in(description)

    async def _oldest_timestamps(self, positions: dict[TopicPartition, int]) -> dict[tuple[TopicPartition, int], float]:
        known = {key: self._timestamps[key] for key in positions.items() if key in self._timestamps}
        wanted = {tp: offset for tp, offset in positions.items() if (tp, offset) not in known}
        if wanted:
            self.reader.assign(list(wanted))
            for tp, offset in wanted.items():
                self.reader.seek(tp, offset)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self.read_timeout
            while wanted and loop.time() < deadline:
                try:
                    fetched = await self.reader.getmany(*wanted, timeout_ms=200)
                except TopicAuthorizationFailedError as refused:
                    # A principal may describe a group's topics without reading them (the portal on a secure
                    # broker): their time lag stays unknown, the rest is sampled as ever.
                    named = refused.args[0] if refused.args else ()
                    topics = {named} if isinstance(named, str) else set(named)
                    unreadable = {tp for tp in wanted if not topics or tp.topic in topics}
                    for tp in unreadable or set(wanted):
                        wanted.pop(tp)
                    continue
                for tp, records in fetched.items():
                    if tp in wanted and records:
                        known[(tp, wanted.pop(tp))] = records[0].timestamp / 1000
                        self.reader.pause(tp)
            self.reader.unsubscribe()  # no fetching in the background between samples
        self._timestamps = known
        return known


def _with_timestamp(sample: PartitionSample, timestamps: dict[tuple[TopicPartition, int], float]) -> PartitionSample:
    key = (TopicPartition(sample.topic, sample.partition), sample.position)
    return replace(sample, oldest_timestamp=timestamps[key]) if key in timestamps else sample
