"""The lag report as a table for people and as JSON for machines."""

import json

import pytest

from shared.lag import GroupLag, LagReport, evaluate, render_json, render_table
from shared.lag.render import duration
from tests.unit.lag.samples import sample

AT = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def _report() -> LagReport:
    intake = GroupLag(
        "accordeer-intake",
        (
            evaluate(
                [
                    sample(AT - 10, 200, 100, oldest=AT - 75, owner="accordeer-intake@10.0.0.1"),
                    sample(AT, 220, 120, oldest=AT - 72.5, owner="accordeer-intake@10.0.0.1"),
                ]
            ),
            evaluate([sample(AT - 10, 50, 50, partition=1), sample(AT, 50, 50, partition=1)]),
        ),
    )
    dispatch = GroupLag(
        "accordeer-dispatch",
        (evaluate([sample(AT, 300, None, members=0, group="accordeer-dispatch", topic="messages.approved")]),),
    )
    return LagReport(at=AT, groups=(intake, dispatch))


def test_the_table_shows_group_totals_then_lagging_partitions():
    lines = render_table(_report()).splitlines()
    assert lines[0] == "consumer lag at 2026-01-01T00:00:00+00:00"
    assert lines[2].split() == ["GROUP", "STATUS", "LAG", "TIME", "LAG", "CONSUMED/s", "DRAIN"]
    assert lines[3].split() == ["accordeer-intake", "WARN", "100", "1m12s", "2.0", "50s"]
    assert lines[5].split()[:7] == ["declarations.inbound", "0", "120", "220", "100", "1m12s", "WARN"]
    assert lines[5].endswith("lag not shrinking (100 → 100) while offsets advance [accordeer-intake@10.0.0.1]")
    assert lines[6] == "  (1 partition(s) caught up)"
    assert lines[8].split() == ["accordeer-dispatch", "STOP", "300", "?", "0.0", "never"]
    assert lines[10].split()[:7] == ["messages.approved", "0", "-", "300", "300", "?", "STOP"]


def test_every_partition_on_request():
    table = render_table(_report(), every_partition=True)
    assert "caught up)" not in table
    assert "  declarations.inbound              1         50         50        0        0s  OK     caught up" in table


def test_json_has_every_figure_with_seconds_as_numbers():
    document = json.loads(render_json(_report()))
    assert document["at"] == "2026-01-01T00:00:00+00:00"
    intake, dispatch = document["groups"]
    assert {k: v for k, v in intake.items() if k != "partitions"} == {
        "group": "accordeer-intake",
        "status": "WARN",
        "lag": 100,
        "time_lag_seconds": 72.5,
        "consume_rate": 2.0,
        "produce_rate": 2.0,
        "drain_seconds": 50.0,
    }
    assert intake["partitions"][0] == {
        "topic": "declarations.inbound",
        "partition": 0,
        "committed": 120,
        "log_start": 0,
        "end": 220,
        "lag": 100,
        "time_lag_seconds": 72.5,
        "status": "WARN",
        "reason": "lag not shrinking (100 → 100) while offsets advance",
        "members": 1,
        "owner": "accordeer-intake@10.0.0.1",
        "samples": 2,
        "consume_rate": 2.0,
        "produce_rate": 2.0,
    }
    assert dispatch["drain_seconds"] is None
    assert dispatch["time_lag_seconds"] is None
    assert dispatch["partitions"][0]["committed"] is None


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "?"),
        (0, "0s"),
        (2.5, "2.5s"),
        (59, "59s"),
        (60, "1m00s"),
        (725, "12m05s"),
        (3600, "1h00m"),
        (7384, "2h03m"),
    ],
)
def test_durations_read_easily(seconds, text):
    assert duration(seconds) == text
