"""The lag report for people (a table) and for machines (JSON, stable field names, seconds as numbers)."""

import json
from datetime import UTC, datetime

from shared.lag.model import GroupLag, LagReport, PartitionStatus

_GROUP_ROW = "{:<34} {:<6} {:>9} {:>9} {:>10} {:>9}"
_PARTITION_ROW = "  {:<30} {:>4} {:>10} {:>10} {:>8} {:>9}  {:<6} {}"


def render_table(report: LagReport, *, every_partition: bool = False) -> str:
    """Groups first; under each, the partitions with lag (all of them with ``every_partition``)."""
    lines = [
        f"consumer lag at {_clock(report.at)}",
        "",
        _GROUP_ROW.format("GROUP", "STATUS", "LAG", "TIME LAG", "CONSUMED/s", "DRAIN"),
    ]
    for group in report.groups:
        lines.append(
            _GROUP_ROW.format(
                group.group,
                group.status,
                group.lag,
                duration(group.time_lag),
                f"{group.consume_rate:.1f}",
                _drain(group),
            )
        )
        shown = [p for p in group.partitions if every_partition or p.latest.lag or p.status != "OK"]
        if shown:
            lines.append(
                _PARTITION_ROW.format("topic", "part", "committed", "end", "lag", "time lag", "status", "why [owner]")
            )
        lines += [_partition_line(p) for p in shown]
        if hidden := len(group.partitions) - len(shown):
            lines.append(f"  ({hidden} partition(s) caught up)")
        lines.append("")
    return "\n".join(lines)


def _partition_line(status: PartitionStatus) -> str:
    s = status.latest
    committed = "-" if s.committed is None else str(s.committed)
    why = status.reason + (f" [{s.owner}]" if s.owner else "")
    return _PARTITION_ROW.format(
        s.topic, s.partition, committed, s.end, s.lag, duration(s.time_lag), status.status, why
    )


def _drain(group: GroupLag) -> str:
    drain = group.drain_seconds
    return "never" if drain is None else duration(drain)


def duration(seconds: float | None) -> str:
    """``?`` when unknown; seconds with a tenth below a minute, then m/s, then h/m."""
    if seconds is None:
        return "?"
    if seconds < 60:
        return f"{seconds:.1f}s" if seconds % 1 else f"{seconds:.0f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    return f"{minutes // 60}h{minutes % 60:02d}m"


def render_json(report: LagReport) -> str:
    return json.dumps(report_dict(report), indent=2)


def report_dict(report: LagReport) -> dict[str, object]:
    return {"at": _clock(report.at), "groups": [_group_dict(g) for g in report.groups]}


def _group_dict(group: GroupLag) -> dict[str, object]:
    return {
        "group": group.group,
        "status": str(group.status),
        "lag": group.lag,
        "time_lag_seconds": _round(group.time_lag),
        "consume_rate": _round(group.consume_rate),
        "produce_rate": _round(group.produce_rate),
        "drain_seconds": _round(group.drain_seconds),
        "partitions": [_partition_dict(p) for p in group.partitions],
    }


def _partition_dict(status: PartitionStatus) -> dict[str, object]:
    s = status.latest
    return {
        "topic": s.topic,
        "partition": s.partition,
        "committed": s.committed,
        "log_start": s.log_start,
        "end": s.end,
        "lag": s.lag,
        "time_lag_seconds": _round(s.time_lag),
        "status": str(status.status),
        "reason": status.reason,
        "members": s.members,
        "owner": s.owner,
        "samples": status.samples,
        "consume_rate": _round(status.consume_rate),
        "produce_rate": _round(status.produce_rate),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _clock(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat(timespec="seconds")
