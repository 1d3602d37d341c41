"""Consumer lag of the product's consumer groups, in Burrow's terms (``accordeer lag``).

``model`` and ``evaluate`` are pure; ``sampling`` and ``membership`` talk to
Kafka; ``monitor`` keeps the sliding windows; ``render`` prints.
"""

from shared.lag.evaluate import evaluate, since_last_reset
from shared.lag.model import GroupLag, LagReport, PartitionSample, PartitionStatus, Status
from shared.lag.monitor import LagMonitor, LagSource, lag_report, product_groups, watch_lag
from shared.lag.render import render_json, render_table, report_dict
from shared.lag.sampling import KafkaLagSource

__all__ = [
    "GroupLag",
    "KafkaLagSource",
    "LagMonitor",
    "LagReport",
    "LagSource",
    "PartitionSample",
    "PartitionStatus",
    "Status",
    "evaluate",
    "lag_report",
    "product_groups",
    "render_json",
    "render_table",
    "report_dict",
    "since_last_reset",
    "watch_lag",
]
