"""The portal's own lag sampler: every few seconds a report of the product's groups, as ``accordeer lag --watch``
makes it, into the dashboard's hour of history."""

from services.portal.dashboard.history import LagHistory
from shared.lag import KafkaLagSource, LagMonitor, product_groups
from shared.loops import run_forever
from shared.settings import Settings

WINDOW = 5
"""Samples each status is judged over, as ``accordeer lag --watch`` does."""


async def sample_forever(settings: Settings, history: LagHistory, interval: float) -> None:
    async def watch() -> None:
        try:
            async with KafkaLagSource(settings.kafka_bootstrap_servers) as source:
                monitor = LagMonitor(source, product_groups(settings.topics), window=WINDOW)
                async for report in monitor.watch(interval):
                    history.add(report)
        except Exception as error:  # the broker may be away a while; the page says so
            history.failed(f"{type(error).__name__}: {error}")
            raise

    await run_forever("sampling consumer lag for the dashboard", watch, pause=interval, transient=(Exception,))
