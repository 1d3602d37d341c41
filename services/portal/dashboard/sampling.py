"""The portal's own lag sampler: every few seconds a report of the product's groups, as ``accordeer lag --watch``
makes it, into the dashboard's hour of history."""

import asyncio

import structlog

from services.portal.dashboard.history import LagHistory
from shared.lag import KafkaLagSource, LagMonitor, product_groups
from shared.settings import Settings

log = structlog.get_logger(__name__)
WINDOW = 5
"""Samples each status is judged over, as ``accordeer lag --watch`` does."""


async def sample_forever(settings: Settings, history: LagHistory, interval: float) -> None:
    while True:
        try:
            async with KafkaLagSource(settings.kafka_bootstrap_servers) as source:
                monitor = LagMonitor(source, product_groups(settings.topics), window=WINDOW)
                async for report in monitor.watch(interval):
                    history.add(report)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the broker may be away a while; the page says so
            history.failed(f"{type(error).__name__}: {error}")
            log.warning("consumer lag not sampled for the dashboard", error=str(error))
            await asyncio.sleep(interval)
