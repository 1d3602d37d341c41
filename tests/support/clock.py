"""A clock for tests: it moves only when told to."""

from datetime import UTC, datetime, timedelta


class FakeClock:
    def __init__(self, start: datetime = datetime(2026, 1, 5, 9, 0, tzinfo=UTC), *, tick: timedelta = timedelta()):
        """``tick`` is added at every reading (e.g. a microsecond, so that no two events share a timestamp)."""
        self.now = start
        self.tick = tick

    def __call__(self) -> datetime:
        self.now += self.tick
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
