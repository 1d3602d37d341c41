"""The lag vocabulary: one observation of a partition, its status over a window, and a group's totals.

Pure data, no Kafka: the sampler fills ``PartitionSample``; ``evaluate`` and
the renderers only read these.
"""

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """Burrow's partition statuses, least to most severe."""

    OK = "OK"
    WARN = "WARN"
    STALL = "STALL"
    STOP = "STOP"

    @property
    def severity(self) -> int:
        return list(Status).index(self)


@dataclass(frozen=True)
class PartitionSample:
    """What Kafka said about one partition of one consumer group at ``at`` (epoch seconds)."""

    group: str
    topic: str
    partition: int
    at: float
    end: int
    """The high watermark: the offset the next record will get."""
    log_start: int
    """The oldest offset still in the log; where a group without a committed offset starts reading."""
    committed: int | None
    """None: the group never committed an offset for this partition."""
    members: int
    """Members of the group when sampled; 0 means nobody is there to consume."""
    oldest_timestamp: float | None = None
    """Epoch seconds of the record at ``position`` (the oldest not yet committed), when read."""
    owner: str | None = None

    @property
    def key(self) -> tuple[str, str, int]:
        return self.group, self.topic, self.partition

    @property
    def position(self) -> int:
        """Where the group resumes: its committed offset, or the log start when it has none (or retention
        deleted what it pointed at: those records no longer wait for anyone)."""
        if self.committed is None or self.committed < self.log_start:
            return self.log_start
        return self.committed

    @property
    def lag(self) -> int:
        return max(0, self.end - self.position)

    @property
    def time_lag(self) -> float | None:
        """Age in seconds of the oldest record not yet committed; None when it could not be read."""
        if self.lag == 0:
            return 0.0
        if self.oldest_timestamp is None:
            return None
        return max(0.0, self.at - self.oldest_timestamp)


@dataclass(frozen=True)
class PartitionStatus:
    """The verdict on one partition's window, with the latest sample and the rates over the window."""

    latest: PartitionSample
    status: Status
    reason: str
    consume_rate: float
    """Records per second the group's position advanced over the window."""
    produce_rate: float
    """Records per second the high watermark advanced over the window."""
    samples: int


@dataclass(frozen=True)
class GroupLag:
    """One consumer group: its partitions' statuses and the totals an operator reads first."""

    group: str
    partitions: tuple[PartitionStatus, ...]

    @property
    def status(self) -> Status:
        return max((p.status for p in self.partitions), key=lambda s: s.severity, default=Status.OK)

    @property
    def lag(self) -> int:
        return sum(p.latest.lag for p in self.partitions)

    @property
    def time_lag(self) -> float | None:
        """The oldest waiting record of the group; None when one of the lagging partitions could not be read."""
        ages = [p.latest.time_lag for p in self.partitions]
        known = [age for age in ages if age is not None]
        return max(known, default=0.0) if len(known) == len(ages) else None

    @property
    def consume_rate(self) -> float:
        return sum(p.consume_rate for p in self.partitions)

    @property
    def produce_rate(self) -> float:
        return sum(p.produce_rate for p in self.partitions)

    @property
    def drain_seconds(self) -> float | None:
        """Time to consume what waits now at the window's consume rate. None when nothing was consumed, or
        when a partition with lag is STOP: the rate of a consumer that has gone says nothing about the future."""
        if self.lag == 0:
            return 0.0
        if self.consume_rate <= 0 or any(p.status == Status.STOP for p in self.partitions if p.latest.lag):
            return None
        return self.lag / self.consume_rate


@dataclass(frozen=True)
class LagReport:
    at: float
    groups: tuple[GroupLag, ...]

    def group(self, name: str) -> GroupLag:
        for group in self.groups:
            if group.group == name:
                return group
        raise KeyError(name)
