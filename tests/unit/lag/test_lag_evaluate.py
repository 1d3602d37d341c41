"""evaluate(): Burrow's statuses over a window of one partition's samples."""

import pytest

from shared.lag import Status, evaluate, since_last_reset
from tests.unit.lag.samples import sample, window


def test_an_empty_window_cannot_be_evaluated():
    with pytest.raises(ValueError, match="at least one sample"):
        evaluate([])


def test_a_window_holds_one_partition():
    with pytest.raises(ValueError, match="one partition"):
        evaluate([sample(1, 10, 5), sample(2, 10, 5, partition=1)])


def test_caught_up_is_ok():
    verdict = evaluate(window((50, 50), (80, 80), (90, 90)))
    assert (verdict.status, verdict.reason, verdict.latest.lag) == (Status.OK, "caught up", 0)


def test_lag_with_nobody_in_the_group_is_stop_at_once():
    verdict = evaluate(window((10, 10), (310, 10), members=0))
    assert verdict.status == Status.STOP
    assert verdict.reason == "no consumer in the group"
    assert verdict.latest.lag == 300


def test_stop_wins_over_an_earlier_zero_lag_because_nobody_is_left_to_commit():
    verdict = evaluate([sample(1, 10, 10, members=1), sample(2, 20, 10, members=0)])
    assert verdict.status == Status.STOP


def test_a_new_group_that_never_committed_owes_the_whole_partition():
    verdict = evaluate([sample(1, 300, None, members=0, log_start=0)])
    assert verdict.status == Status.STOP
    assert verdict.latest.lag == 300
    assert "never committed" in verdict.reason


def test_a_new_group_counts_from_the_log_start_not_from_zero():
    verdict = evaluate([sample(1, 300, None, members=0, log_start=120)])
    assert verdict.latest.lag == 180
    assert verdict.latest.position == 120


def test_a_new_group_with_a_member_that_does_not_commit_is_stalled():
    verdict = evaluate(window((300, None), (300, None), (300, None)))
    assert verdict.status == Status.STALL
    assert verdict.reason == "position stuck at 0 with lag 300 (never committed: the whole partition waits)"


def test_one_sample_with_a_member_cannot_show_a_trend():
    verdict = evaluate([sample(1, 50, 10)])
    assert verdict.status == Status.OK
    assert verdict.reason == "one sample: lag 40, trend not known yet"


def test_a_position_that_does_not_move_while_lag_waits_is_stall():
    verdict = evaluate(window((50, 10), (60, 10), (70, 10)))
    assert (verdict.status, verdict.reason) == (Status.STALL, "position stuck at 10 with lag 60")


def test_lag_growing_while_offsets_advance_is_warn():
    verdict = evaluate(window((50, 10), (70, 20), (90, 30)))
    assert verdict.status == Status.WARN
    assert verdict.reason == "lag growing (40 → 60) while offsets advance"


def test_lag_that_never_shrinks_while_offsets_advance_is_warn_too():
    verdict = evaluate(window((50, 10), (60, 20), (70, 30)))
    assert (verdict.status, verdict.reason) == (Status.WARN, "lag not shrinking (40 → 40) while offsets advance")


def test_one_step_down_in_lag_is_enough_for_ok():
    verdict = evaluate(window((50, 10), (70, 20), (71, 40), (90, 50)))
    assert verdict.status == Status.OK
    assert verdict.reason == "consuming; lag 40 → 40"


def test_lag_shrinking_is_ok():
    verdict = evaluate(window((100, 10), (100, 40), (100, 70)))
    assert (verdict.status, verdict.reason) == (Status.OK, "consuming; lag 90 → 30")


def test_zero_lag_anywhere_in_the_window_is_ok_even_if_stuck_now():
    verdict = evaluate(window((10, 10), (20, 10), (30, 10)))
    assert (verdict.status, verdict.reason) == (Status.OK, "caught up within the window")


def test_an_offset_reset_restarts_the_window():
    # Without the cut, 100 → 40 would read as movement and 50 → 110 as growing lag: WARN.
    samples = window((150, 100), (150, 100), (150, 40), (150, 40))
    assert list(since_last_reset(samples)) == samples[2:]
    verdict = evaluate(samples)
    assert verdict.status == Status.STALL
    assert verdict.reason == "position stuck at 40 with lag 110; judged since an offset reset"
    assert verdict.samples == 2


def test_a_recreated_topic_restarts_the_window():
    # Without the cut, the zero lag before the topic was recreated would make this OK.
    samples = window((500, 500), (3, None), (3, None))
    verdict = evaluate(samples)
    assert verdict.status == Status.STALL
    assert verdict.latest.lag == 3
    assert verdict.samples == 2


def test_no_reset_keeps_the_whole_window():
    samples = window((50, 10), (60, 20))
    assert list(since_last_reset(samples)) == samples


def test_rates_are_per_second_over_the_window():
    verdict = evaluate(window((100, 10), (130, 30), (150, 50), step=10))
    assert verdict.consume_rate == pytest.approx(2.0)
    assert verdict.produce_rate == pytest.approx(2.5)


def test_one_sample_has_no_rates():
    verdict = evaluate([sample(1, 100, 10)])
    assert (verdict.consume_rate, verdict.produce_rate) == (0.0, 0.0)


def test_time_lag_is_the_age_of_the_oldest_uncommitted_record():
    assert sample(1000, 50, 10, oldest=988.5).time_lag == pytest.approx(11.5)
    assert sample(1000, 50, 50, oldest=None).time_lag == 0.0
    assert sample(1000, 50, 10, oldest=None).time_lag is None
    assert sample(1000, 50, 10, oldest=1001).time_lag == 0.0  # a producer's clock ahead of ours


def test_a_committed_offset_deleted_by_retention_counts_from_the_log_start():
    s = sample(1, 100, 20, log_start=60)
    assert (s.position, s.lag) == (60, 40)


def test_a_committed_offset_beyond_the_end_is_no_lag():
    assert sample(1, 10, 15).lag == 0
