"""Each service exports its own consumer group's lag as Prometheus gauges (FastStream has no lag metric)."""

import asyncio

import structlog

from shared import metrics
from shared.lag import KafkaLagSource, LagMonitor, LagReport, product_groups
from shared.topics import Topics

log = structlog.get_logger(__name__)


def export(report: LagReport) -> None:
    for group in report.groups:
        for partition in group.partitions:
            sample = partition.latest
            labels = {"group": group.group, "topic": sample.topic, "partition": str(sample.partition)}
            metrics.CONSUMER_LAG.labels(**labels).set(sample.lag)
            if sample.time_lag is not None:
                metrics.CONSUMER_TIME_LAG.labels(**labels).set(sample.time_lag)


async def export_lag_forever(bootstrap_servers: str, topics: Topics, group: str, *, interval: float = 15.0) -> None:
    """Sample the group every ``interval`` seconds for as long as the service runs."""
    while True:
        try:
            async with KafkaLagSource(bootstrap_servers) as source:
                monitor = LagMonitor(source, {group: product_groups(topics)[group]}, window=1)
                async for report in monitor.watch(interval):
                    export(report)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the broker may be away for a while; lag then just isn't updated
            log.warning("consumer lag not sampled", error=str(error))
            await asyncio.sleep(interval)
