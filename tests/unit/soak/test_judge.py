"""The soak's rules, on made-up minutes: a leak, a restart, a growing table and a full outbox are each named; a
steady run passes."""

import pytest

from accordeer.soak.judge import judge
from accordeer.soak.sampling import Minute, ProcessFigures, TableFigures, as_dicts, from_dict, p99
from accordeer.soak.schedule import CYCLE, every

PROCESSES = ("intake-a", "workflow-a", "dispatch-a")


def _minutes(count=30, *, rss=lambda name, n: 100.0, pid=lambda name, n: 1, positions=lambda n: 36, dead=lambda n: 50):
    minutes = []
    for n in range(1, count + 1):
        minute = Minute(at_minutes=float(n))
        minute.processes = {name: ProcessFigures(pid(name, n), rss(name, n), 40) for name in PROCESSES}
        minute.tables = {
            "workflow.inbox_positions": TableFigures(positions(n), 3, 0.1),
            "workflow.outbox": TableFigures(5, dead(n), 0.2),
            "workflow.audit": TableFigures(n * 1000, 0, n * 0.5),
        }
        minute.outbox = {"workflow": 5}
        minutes.append(minute)
    return minutes


def _failed(verdict):
    return {(f.rule, f.subject) for f in verdict.findings if not f.ok}


def test_a_steady_run_passes_and_a_growing_business_table_is_not_judged():
    minutes = _minutes()
    verdict = judge(minutes, minutes[-1])
    assert verdict.ok, verdict.findings
    assert verdict.slopes_mb_per_hour == dict.fromkeys(PROCESSES, 0.0)


def test_memory_that_keeps_growing_fails_and_noise_does_not():
    leaking = _minutes(rss=lambda name, n: 100.0 + (n if name == "workflow-a" else (-1) ** n * 3))
    verdict = judge(leaking, leaking[-1])
    assert _failed(verdict) == {("memory", "workflow-a")}
    assert verdict.slopes_mb_per_hour["workflow-a"] == pytest.approx(60.0)


def test_a_long_lived_process_restarted_in_the_judged_window_fails():
    restarted = _minutes(pid=lambda name, n: 2 if name == "intake-a" and n > 20 else 1)
    assert ("memory", "intake-a") in _failed(judge(restarted, restarted[-1]))


def test_positions_that_grow_and_an_outbox_left_full_fail():
    minutes = _minutes(positions=lambda n: 36 + n)
    final = minutes[-1]
    final.outbox = {"workflow": 500}
    assert _failed(judge(minutes, final)) == {
        ("fixed size", "workflow.inbox_positions"),
        ("outbox drained", "workflow.outbox"),
    }


def test_dead_rows_that_autovacuum_no_longer_keeps_up_with_fail():
    minutes = _minutes(dead=lambda n: 50 if n < 20 else 5000 * n)
    assert _failed(judge(minutes, minutes[-1])) == {("dead rows", "workflow.outbox")}


def test_single_minute_spikes_of_dead_rows_on_a_flat_level_pass():
    """The first hour's outbox: about 10,000 dead rows a minute, now and then one minute twice that."""
    minutes = _minutes(dead=lambda n: 22_900 if n in (24, 27) else 13_720 if n == 15 else 10_000)
    assert _failed(judge(minutes, minutes[-1])) == set()


def test_too_short_a_run_is_not_judged_a_pass():
    assert not judge(_minutes(count=3), None).ok


def test_faults_come_every_interval_in_the_cycles_order_and_stop_before_the_end():
    schedule = every(3600, 180)
    assert len(schedule) == 18
    assert [name for _, name, _ in schedule[: len(CYCLE)]] == [name for name, _ in CYCLE]
    assert schedule[0][0] == pytest.approx(0.05) and schedule[-1][0] * 3600 <= 3600 - 360


def test_p99_of_latencies():
    assert p99([]) is None and p99([0.5]) == 0.5
    assert p99([i / 100 for i in range(1, 101)]) == pytest.approx(0.99, abs=0.01)


def test_minutes_written_are_read_back_as_they_were_for_judging_again():
    minutes = _minutes(count=3)
    assert [from_dict(m) for m in as_dicts(minutes)] == minutes
