"""Samples for the lag tests: one partition of one group, with only what a test cares about given."""

from shared.lag import PartitionSample

GROUP, TOPIC = "accordeer-intake", "declarations.inbound"


def sample(
    at: float,
    end: int,
    committed: int | None,
    *,
    members: int = 1,
    log_start: int = 0,
    partition: int = 0,
    oldest: float | None = None,
    group: str = GROUP,
    topic: str = TOPIC,
    owner: str | None = None,
) -> PartitionSample:
    return PartitionSample(
        group=group,
        topic=topic,
        partition=partition,
        at=at,
        end=end,
        log_start=log_start,
        committed=committed,
        members=members,
        oldest_timestamp=oldest,
        owner=owner,
    )


def window(*points: tuple[int, int | None], members: int = 1, step: float = 10.0, **kw) -> list[PartitionSample]:
    """(end, committed) per sample, ``step`` seconds apart."""
    return [sample(1000 + i * step, end, committed, members=members, **kw) for i, (end, committed) in enumerate(points)]
