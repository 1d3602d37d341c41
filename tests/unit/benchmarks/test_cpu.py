import pytest

from benchmarks.cpu import TICKS, Stat, parse_stat, per_declaration_ms, tree_ticks

# A postgres backend as /proc/<pid>/stat shows it (its name holds a space and a parenthesis).
LINE = (
    "4242 (postgres: bench (x)) S 4200 4200 4200 0 -1 4194560 930 0 0 0 "
    "120 35 7 3 20 0 1 0 123456 220000000 4000 18446744073709551615"
)


def test_parse_stat_reads_after_the_last_parenthesis():
    assert parse_stat(LINE) == Stat(ppid=4200, own=155, reaped=10)


def test_a_tree_counts_live_descendants_and_what_was_reaped():
    stats = {1: Stat(0, 5, 0), 10: Stat(1, 100, 40), 11: Stat(10, 7, 0), 12: Stat(11, 3, 0), 20: Stat(1, 50, 0)}
    assert tree_ticks(stats, 10) == 100 + 40 + 7 + 3
    assert tree_ticks(stats, 99) == 0


def test_cpu_per_declaration_in_milliseconds():
    before = {"intake": 100, "workflow": 0}
    after = {"intake": 100 + TICKS, "workflow": TICKS // 2}
    assert per_declaration_ms(before, after, 1000) == {"intake": pytest.approx(1.0), "workflow": pytest.approx(0.5)}
