"""The portal's own lag sampler: a report of the product's groups, as ``accordeer lag --watch`` makes it, into the
dashboard's hour of history; often while an operator looks, once a minute while nobody does."""

import asyncio
import contextlib
import math
import time
from collections.abc import Callable

from services.portal.dashboard.history import LagHistory
from shared.lag import KafkaLagSource, LagMonitor, product_groups
from shared.loops import run_forever
from shared.settings import Settings

WINDOW = 5
"""Samples each status is judged over, as ``accordeer lag --watch`` does."""

UNWATCHED_INTERVAL = 60.0
"""Seconds between samples while nobody looks. A sample asks the broker some forty questions (every group's
members and offsets, every partition's ends); at the page's pace that was a tenth of an idle portal's CPU."""

WATCHED_FOR = 600.0
"""How long after the dashboard was last shown the sampler keeps the page's pace."""


class Pace:
    """When the next sample is due: every ``interval`` seconds while the dashboard was shown in the last
    ``WATCHED_FOR`` seconds, every ``UNWATCHED_INTERVAL`` otherwise; a look after a quiet spell samples at once."""

    def __init__(self, interval: float, *, clock: Callable[[], float] = time.monotonic):
        self.interval, self.clock = interval, clock
        self._shown_at = -math.inf
        self._looked = asyncio.Event()

    def shown(self) -> None:
        """The dashboard was shown to someone."""
        if not self.watched:
            self._looked.set()
        self._shown_at = self.clock()

    @property
    def watched(self) -> bool:
        return self.clock() - self._shown_at < WATCHED_FOR

    @property
    def current(self) -> float:
        return self.interval if self.watched else max(self.interval, UNWATCHED_INTERVAL)

    async def until_due(self, sampled_at: float) -> None:
        """Until the sample after the one taken at ``sampled_at`` (by ``clock``) is due."""
        self._looked.clear()
        with contextlib.suppress(TimeoutError):
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation.
            async with asyncio.timeout(max(0.0, sampled_at + self.current - self.clock())):
                await self._looked.wait()


async def sample_forever(settings: Settings, history: LagHistory, pace: Pace) -> None:
    async def watch() -> None:
        try:
            async with KafkaLagSource(settings.kafka_bootstrap_servers) as source:
                monitor = LagMonitor(source, product_groups(settings.topics), window=WINDOW)
                while True:
                    started = pace.clock()
                    history.add(await monitor.sample())
                    await pace.until_due(started)
        except Exception as error:  # the broker may be away a while; the page says so
            history.failed(f"{type(error).__name__}: {error}")
            raise

    await run_forever("sampling consumer lag for the dashboard", watch, pause=pace.interval, transient=(Exception,))
