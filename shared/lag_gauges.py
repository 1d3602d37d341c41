"""Each service exports its own consumer group's lag as Prometheus gauges (FastStream has no lag metric)."""

from shared import metrics
from shared.lag import KafkaLagSource, LagMonitor, LagReport, product_groups
from shared.loops import run_forever
from shared.topics import Topics


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

    async def watch() -> None:
        async with KafkaLagSource(bootstrap_servers) as source:
            monitor = LagMonitor(source, {group: product_groups(topics)[group]}, window=1)
            async for report in monitor.watch(interval):
                export(report)

    # The broker may be away for a while; lag then just isn't updated.
    await run_forever("sampling consumer lag", watch, pause=interval, transient=(Exception,))
