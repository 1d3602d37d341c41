"""`accordeer status`'s gateway breaker lines: each dispatch process's state with since when and why, a process
whose row is no longer renewed shown as gone, and a sentence when there is nothing or it cannot be read."""

from datetime import UTC, datetime

from accordeer.system_status import SystemStatus, render
from shared.operations.breakers import ProcessBreaker

AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
OPEN = ProcessBreaker("host-a:41", "open", AT, "5 failures in a row; last: HTTP 503", AT, gone=False)
GONE = ProcessBreaker("host-b:7", "closed", AT, None, datetime(2026, 1, 5, 9, 30, tzinfo=UTC), gone=True)


def shown(breakers) -> str:
    return render(SystemStatus({"dispatch": "ready"}, breakers, "unknown", "unknown", "unknown"))


def test_each_process_with_its_state_since_and_reason_and_gone_ones_as_gone():
    lines = shown([OPEN, GONE]).splitlines()
    start = lines.index("gateway breaker (per dispatch process)")
    assert lines[start + 1].split(None, 1) == [
        "host-a:41",
        "open since 2026-01-05 09:00:00 UTC (5 failures in a row; last: HTTP 503)",
    ]
    assert lines[start + 2].split(None, 1) == [
        "host-b:7",
        "gone, not seen since 2026-01-05 09:30:00 UTC; last closed since 2026-01-05 09:00:00 UTC",
    ]


def test_none_yet_or_unreadable_is_a_sentence():
    assert "gateway breaker (per dispatch process)\n  (no dispatch process has said yet)" in shown([])
    assert "gateway breaker (per dispatch process)\n  unknown: PostgreSQL is down" in shown(
        "unknown: PostgreSQL is down"
    )
