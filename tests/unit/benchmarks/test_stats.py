import pytest

from benchmarks.stats import percentiles, ratios, spread


def test_percentiles_of_messages_that_all_arrived():
    result = percentiles([i / 100 for i in range(1, 101)], [])
    assert result[50].seconds == pytest.approx(0.505)
    assert result[99].seconds == pytest.approx(0.9901)
    assert not any(p.lower_bound for p in result.values())


def test_ranks_among_unreached_messages_are_floors():
    result = percentiles([0.1] * 90, [30.0] * 10)
    assert result[50].seconds == pytest.approx(0.1) and not result[50].lower_bound
    assert result[95].seconds == pytest.approx(30.0) and result[95].lower_bound
    assert result[99].lower_bound


def test_too_few_messages_give_no_percentiles():
    assert percentiles([0.2], []) is None


def test_spread_over_rounds():
    result = spread([200.0, 250.0, 220.0])
    assert (result.median, result.low, result.high) == (220.0, 200.0, 250.0)
    assert result.ratio == pytest.approx(1.25)


def test_ratios_are_per_round():
    assert ratios([100.0, 300.0], [1000.0, 2000.0]) == [0.1, 0.15]
    with pytest.raises(ValueError):
        ratios([1.0], [1.0, 2.0])
