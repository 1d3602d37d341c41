"""Group totals: the worst status, the summed lag, the oldest waiting record, the time to drain."""

import pytest

from shared.lag import GroupLag, LagReport, Status, evaluate
from tests.unit.lag.samples import sample, window


def _group(*windows) -> GroupLag:
    return GroupLag("accordeer-workflow", tuple(evaluate(w) for w in windows))


def test_the_group_takes_its_worst_partition_status():
    group = _group(
        window((50, 50), (60, 60), partition=0),
        window((50, 10), (70, 20), partition=1),
        window((50, 10), (60, 10), partition=2),
    )
    assert [p.status for p in group.partitions] == [Status.OK, Status.WARN, Status.STALL]
    assert group.status == Status.STALL


def test_stop_is_the_most_severe():
    assert [s.severity for s in Status] == [0, 1, 2, 3]
    assert max(Status, key=lambda s: s.severity) == Status.STOP


def test_totals_add_up_the_partitions():
    group = _group(window((100, 10), (120, 30), partition=0), window((40, 0), (60, 40), partition=1))
    assert group.lag == 90 + 20
    assert group.consume_rate == pytest.approx(2.0 + 4.0)
    assert group.produce_rate == pytest.approx(2.0 + 2.0)
    assert group.drain_seconds == pytest.approx(110 / 6.0)


def test_nothing_consumed_means_no_drain_estimate():
    group = _group(window((100, 10), (100, 10), members=0))
    assert group.drain_seconds is None


def test_no_lag_drains_in_no_time():
    assert _group(window((10, 10), (10, 10))).drain_seconds == 0.0


def test_time_lag_is_the_oldest_waiting_record_of_any_partition():
    group = _group(
        [sample(100, 50, 10, oldest=70, partition=0)],
        [sample(100, 50, 10, oldest=40, partition=1)],
        [sample(100, 5, 5, partition=2)],
    )
    assert group.time_lag == pytest.approx(60)


def test_time_lag_is_unknown_when_a_lagging_partition_could_not_be_read():
    group = _group([sample(100, 50, 10, oldest=70, partition=0)], [sample(100, 50, 10, oldest=None, partition=1)])
    assert group.time_lag is None


def test_a_group_without_partitions_is_ok_and_empty():
    group = GroupLag("g", ())
    assert (group.status, group.lag, group.time_lag, group.drain_seconds) == (Status.OK, 0, 0.0, 0.0)


def test_a_report_finds_its_groups_by_name():
    report = LagReport(at=0, groups=(GroupLag("a", ()), GroupLag("b", ())))
    assert report.group("b").group == "b"
    with pytest.raises(KeyError):
        report.group("c")


def test_a_stopped_group_never_drains_whatever_it_consumed_before_it_stopped():
    group = _group(
        window((100, 10), (100, 50), partition=0),
        [sample(1000, 100, 10, partition=1, members=0), sample(1010, 100, 10, partition=1, members=0)],
    )
    assert group.consume_rate == pytest.approx(4.0)
    assert group.drain_seconds is None
