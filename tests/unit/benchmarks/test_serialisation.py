"""The serialisation bench's arithmetic: time per call, how many times faster, and a call site's profile share."""

import pytest

from benchmarks.serialisation import Site, Way, measure, per_call, share, speedup


class Clock:
    """Time that moves only when a measured call runs."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def costing(self, seconds: float):
        def call() -> None:
            self.now += seconds

        return call


def test_time_per_call_over_runs_that_fill_the_budget() -> None:
    clock = Clock()
    assert per_call([clock.costing(0.001), clock.costing(0.004)], repeat=3, clock=clock) == [
        pytest.approx(0.001),
        pytest.approx(0.004),
    ]


def test_the_median_run_counts_not_a_slow_one() -> None:
    clock, costs = Clock(), iter([0.001, 0.001, 0.5, 0.001])  # the first sets the number of calls per run

    def call() -> None:
        clock.now += next(costs)

    assert per_call([call], repeat=3, budget=0.0005, clock=clock) == [pytest.approx(0.001)]


def test_speedup_is_the_reference_over_the_other() -> None:
    assert speedup(10e-6, 2e-6) == pytest.approx(5.0)
    assert speedup(1e-6, 4e-6) == pytest.approx(0.25)
    assert speedup(1e-6, 0.0) == float("inf")


FOLDED = """main (app.py:1);fingerprint (services/intake/domain/fingerprint.py:20);dumps (json/__init__.py:231) 30
main (app.py:1);dumps (json/__init__.py:231);fingerprint (services/intake/domain/fingerprint.py:20) 10
main (app.py:1);_encode_jsonb (shared/db/pool.py:9) 60
"""


def test_a_share_counts_the_frames_in_their_order() -> None:
    assert share(FOLDED, ("fingerprint (fingerprint.py", "dumps (__init__.py")) == pytest.approx(0.3)
    assert share(FOLDED, ("fingerprint (fingerprint.py",)) == pytest.approx(0.4)
    assert share(FOLDED, ("_encode_jsonb (pool.py",)) == pytest.approx(0.6)
    assert share("", ("main (app.py",)) == 0.0


def test_a_way_that_gives_something_else_is_marked() -> None:
    site = Site("id", [Way("json", lambda: '["a", 1]'), Way("compact", lambda: '["a",1]')])
    rows = measure([site], repeat=1)
    assert [(r.way, r.same, r.speedup > 0) for r in rows] == [("json", True, True), ("compact", False, True)]
