"""One hour of each consumer group's lag in the portal's memory, from the reports ``accordeer lag`` makes.

Pure: the sampling loop adds each ``LagReport``; the page reads the latest
report (status, throughput) and each group's points (the charts). Older points
fall off; the portal keeps nothing on disk, so a restart starts a new hour.
"""

from collections import deque
from dataclasses import dataclass

from shared.lag import LagReport

HOUR = 3600.0


@dataclass(frozen=True)
class Point:
    at: float
    lag: int
    time_lag: float | None
    """None when the age of the oldest waiting record could not be read: a gap in the chart, not a zero."""


class LagHistory:
    def __init__(self, *, span: float = HOUR):
        self.span = span
        self.latest: LagReport | None = None
        self.error: str | None = None
        """Why the last sample failed (shown on the page); None after a good one."""
        self._points: dict[str, deque[Point]] = {}

    def add(self, report: LagReport) -> None:
        self.latest, self.error = report, None
        for group in report.groups:
            points = self._points.setdefault(group.group, deque())
            points.append(Point(report.at, group.lag, group.time_lag))
        for points in self._points.values():
            while points and points[0].at < report.at - self.span:
                points.popleft()

    def failed(self, why: str) -> None:
        self.error = why

    def shown_span(self, *, least: float = 60.0) -> float:
        """The seconds the charts cover: the hour, or the time since the first sample while there is less (a
        portal started a minute ago shows that minute, not a spike at the right edge of an empty hour)."""
        if self.latest is None:
            return least
        first = min((points[0].at for points in self._points.values() if points), default=self.latest.at)
        return min(self.span, max(least, self.latest.at - first))

    def points(self, group: str) -> list[Point]:
        return list(self._points.get(group, ()))
