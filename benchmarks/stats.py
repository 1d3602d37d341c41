"""The bench's arithmetic: latency percentiles that stay honest about messages that never arrived, and the
median and spread of a figure over rounds."""

import statistics
from dataclasses import dataclass

PERCENTILES = (50, 95, 99)


@dataclass(frozen=True)
class Percentile:
    seconds: float
    lower_bound: bool
    """True when this rank falls among messages still unreached when the bench stopped waiting: their latency
    is at least what they had waited, so the figure is a floor, not a measurement."""


def percentiles(reached: list[float], unreached: list[float]) -> dict[int, Percentile] | None:
    """p50/p95/p99 of all messages; ``unreached`` holds, for each message that never got there, how long it had
    waited when the bench stopped looking. None when there is nothing to rank."""
    values = sorted(reached + unreached)
    if len(values) < 2:
        return None
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    share_reached = len(reached) / len(values)
    return {p: Percentile(cuts[p - 1], lower_bound=bool(unreached) and p / 100 > share_reached) for p in PERCENTILES}


@dataclass(frozen=True)
class Spread:
    """One figure over the rounds: the median, and how far the rounds lay apart."""

    median: float
    low: float
    high: float

    @property
    def ratio(self) -> float:
        """max/min: 1.00 on a quiet machine."""
        return self.high / self.low if self.low > 0 else float("inf")


def spread(values: list[float]) -> Spread:
    return Spread(statistics.median(values), min(values), max(values))


def ratios(values: list[float], references: list[float]) -> list[float]:
    """Each round's figure over the same round's reference (the raw relay)."""
    return [value / reference for value, reference in zip(values, references, strict=True)]
