"""The operator page's dead letters, counted as they arrive, so the page never reads a dead-letter topic itself.

A consumer of the portal's own (no group, commits nothing) reads every dead-letter topic once from its beginning
and from then on only what is new. It keeps of each letter what the page lists (its place, key, reason and
time), never the body: the page renders counts, reasons and the ten newest from memory, and a letter's body is
read from Kafka only when someone opens it. Letters that retention has removed from a topic leave the counts.
"""

import heapq
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import ConsumerRecord, TopicPartition

from shared import dead_letters as h
from shared.kafka.admin import partitions_of
from shared.kafka.idle import FETCH_WAIT_MS
from shared.loops import run_forever
from shared.operations.dead_letters import reader

NEWEST = 10
"""How many of each topic's newest letters the page lists."""


@dataclass(frozen=True)
class LetterHead:
    """What the page lists of one dead letter; its body stays in Kafka."""

    partition: int
    offset: int
    timestamp: int
    """When it was dead-lettered, ms since the epoch."""
    key_text: str
    reason_code: str

    @property
    def ref(self) -> str:
        return f"{self.partition}:{self.offset}"

    @property
    def dead_lettered_at(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp / 1000, UTC)

    @classmethod
    def of(cls, record: ConsumerRecord) -> "LetterHead":
        headers = {k: v.decode(errors="replace") for k, v in record.headers}
        key = "-" if record.key is None else record.key.decode(errors="replace")
        return cls(record.partition, record.offset, record.timestamp, key, headers.get(h.REASON_CODE, ""))


@dataclass(frozen=True)
class DeadLetterTopic:
    """One dead-letter topic as the page shows it."""

    topic: str
    replay_to: str
    count: int
    reasons: list[tuple[str, int]]
    """Each reason code with its count, most frequent first."""
    newest: list[LetterHead]
    """Newest first."""


class DeadLetterTally:
    """The heads of every letter in the dead-letter topics, per partition in offset order."""

    def __init__(self, topics: Mapping[str, str]):
        """``topics``: each dead-letter topic → the topic its letters are replayed to."""
        self.topics = dict(topics)
        self._reading: dict[TopicPartition, list[LetterHead]] = {}
        self._shown = self._reading
        """What the page shows: what was read up to the topics' ends at least once (after a restart of the
        reading, the previous tally until the new one has caught up)."""
        self.caught_up_at: float | None = None
        """When the tally first reached the topics' ends; None until it has."""
        self.error: str | None = None

    def start_over(self) -> None:
        self._reading = {}

    def add(self, records: Iterable[ConsumerRecord]) -> None:
        for record in records:
            self._reading.setdefault(TopicPartition(record.topic, record.partition), []).append(LetterHead.of(record))

    def forget_before(self, starts: Mapping[TopicPartition, int]) -> None:
        """Drop the letters retention has removed: those before each partition's first offset."""
        for tp, start in starts.items():
            heads = self._reading.get(tp, [])
            del heads[: bisect_left(heads, start, key=lambda head: head.offset)]

    def caught_up(self) -> None:
        """What was read so far reached the topics' ends (as they were when the reading started)."""
        self._shown, self.error = self._reading, None
        self.caught_up_at = self.caught_up_at or time.time()

    def shown(self) -> list[DeadLetterTopic]:
        return [self._topic(topic, replay_to) for topic, replay_to in self.topics.items()]

    def _topic(self, topic: str, replay_to: str) -> DeadLetterTopic:
        heads = [head for tp, kept in self._shown.items() if tp.topic == topic for head in kept]
        reasons = Counter(head.reason_code or "onbekend" for head in heads).most_common()
        newest = heapq.nlargest(NEWEST, heads, key=lambda head: (head.timestamp, head.partition, head.offset))
        return DeadLetterTopic(topic, replay_to, len(heads), reasons, newest)

    async def follow(self, bootstrap_servers: str, interval: float) -> None:
        """Keep the tally up to date until cancelled; a broker away is shown on the page, and tried again."""

        async def follow_once() -> None:
            self.start_over()
            # It follows for good: an idle fetch waits as long as the services' (shared.kafka.idle says why).
            consumer = reader(bootstrap_servers, fetch_max_wait_ms=FETCH_WAIT_MS)
            try:
                await consumer.start()
                partitions = [tp for topic in self.topics for tp in await partitions_of(bootstrap_servers, topic)]
                consumer.assign(partitions)
                ends = await consumer.end_offsets(partitions)
                starts = await consumer.beginning_offsets(partitions)
                for tp, start in starts.items():
                    consumer.seek(tp, start)
                pruned_at, reached_ends = time.monotonic(), False
                while True:
                    for records in (await consumer.getmany(timeout_ms=int(interval * 1000))).values():
                        self.add(records)
                    if time.monotonic() - pruned_at > interval:
                        self.forget_before(await consumer.beginning_offsets(partitions))
                        pruned_at = time.monotonic()
                    reached_ends = reached_ends or all([await consumer.position(tp) >= ends[tp] for tp in partitions])
                    if reached_ends:
                        self.caught_up()
            except Exception as error:
                self.error = f"{type(error).__name__}: {error}"
                raise
            finally:
                await consumer.stop()

        await run_forever("following the dead-letter topics", follow_once, pause=interval, transient=(Exception,))
