"""What the list commands share: --since as a duration or a time, --limit saying how many were left out."""

from datetime import UTC, datetime, timedelta

import pytest

from accordeer.listing import newest, since_time

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10m", NOW - timedelta(minutes=10)),
        ("2h", NOW - timedelta(hours=2)),
        ("1d", NOW - timedelta(days=1)),
        (" 30s ", NOW - timedelta(seconds=30)),
        ("2026-02-28T09:00", datetime(2026, 2, 28, 9, tzinfo=UTC)),
        ("2026-02-28T09:00+01:00", datetime(2026, 2, 28, 8, tzinfo=UTC)),
        (None, None),
    ],
)
def test_since_is_a_duration_back_from_now_or_an_iso_time(text, expected):
    assert since_time(text, NOW) == expected


def test_since_that_is_neither_says_what_it_takes():
    with pytest.raises(ValueError, match=r"neither a duration .* nor an ISO time"):
        since_time("yesterday", NOW)


def test_a_limit_keeps_the_newest_and_says_how_many_were_left_out():
    assert newest(list(range(60)), 50) == (list(range(10, 60)), "10 more; use --limit to see them")
    assert newest([1, 2], 50) == ([1, 2], "")
