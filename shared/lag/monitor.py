"""Keeps a sliding window of samples per partition and turns it into a report, once or every N seconds.

The source is anything with ``sample(groups)`` (Kafka in production, a fake in
tests), so the windowing is tested without a broker and the services can run a
monitor for their metrics later.
"""

import asyncio
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Protocol

from shared import topology
from shared.lag.evaluate import evaluate
from shared.lag.model import GroupLag, LagReport, PartitionSample
from shared.lag.sampling import KafkaLagSource
from shared.topics import Topics


class LagSource(Protocol):
    async def sample(self, groups: Mapping[str, Sequence[str]]) -> list[PartitionSample]: ...


def product_groups(topics: Topics) -> dict[str, tuple[str, ...]]:
    """Each service's consumer group and the topics it reads, as the topology has them (a per-source family
    ends in ``*``: the sampler reads whichever of its topics exist)."""
    return topology.consumer_groups(topics)


class LagMonitor:
    """The last ``window`` samples of every partition of ``groups`` (consumer group → topics it reads)."""

    def __init__(
        self,
        source: LagSource,
        groups: Mapping[str, Sequence[str]],
        *,
        window: int = 5,
        clock: Callable[[], float] = time.time,
    ):
        if window < 1:
            raise ValueError("the window holds at least one sample")
        self.source = source
        self.groups = dict(groups)
        self.window = window
        self.clock = clock
        self._windows: dict[tuple[str, str, int], deque[PartitionSample]] = {}

    async def sample(self) -> LagReport:
        """Take one sample of every partition, slide the windows, and report."""
        samples = await self.source.sample(self.groups)
        # Partitions no longer sampled (a group or topic removed) are forgotten with their windows.
        self._windows = {s.key: self._windows.get(s.key, deque(maxlen=self.window)) for s in samples}
        for s in samples:
            self._windows[s.key].append(s)
        return self.report()

    def report(self) -> LagReport:
        statuses = defaultdict(list)
        for key, window in sorted(self._windows.items()):
            statuses[key[0]].append(evaluate(window))
        return LagReport(
            at=self.clock(), groups=tuple(GroupLag(group, tuple(statuses.get(group, ()))) for group in self.groups)
        )

    async def watch(self, interval: float) -> AsyncIterator[LagReport]:
        """A report every ``interval`` seconds, for ever; the first one at once."""
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            yield await self.sample()
            await asyncio.sleep(max(0.0, interval - (loop.time() - started)))

    async def fill(self, interval: float) -> LagReport:
        """Take a whole window of samples ``interval`` seconds apart: a one-shot report with a trend."""
        report = await self.sample()
        for _ in range(self.window - 1):
            await asyncio.sleep(interval)
            report = await self.sample()
        return report


async def lag_report(bootstrap_servers: str, topics: Topics, *, window: int = 3, interval: float = 1.0) -> LagReport:
    """``accordeer lag`` without --watch: one window's worth of samples of the product's groups."""
    async with KafkaLagSource(bootstrap_servers) as source:
        return await LagMonitor(source, product_groups(topics), window=window).fill(interval)


async def watch_lag(
    bootstrap_servers: str, topics: Topics, *, window: int = 5, interval: float = 2.0
) -> AsyncIterator[LagReport]:
    """``accordeer lag --watch``: a report per interval over the last ``window`` samples."""
    async with KafkaLagSource(bootstrap_servers) as source:
        async for report in LagMonitor(source, product_groups(topics), window=window).watch(interval):
            yield report
