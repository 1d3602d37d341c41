from rich.console import Console

from benchmarks.report import Round, cpu_table, latency_table, scaling, throughput_table, to_json
from benchmarks.stats import Percentile
from benchmarks.whole import Phase


def a_round(relay: float, one: float, two: float) -> Round:
    load = Phase(
        declarations=3000,
        seconds=30.0,
        cpu_ms={"intake": 0.5, "PostgreSQL": 1.5, "bench itself": 2.0},
        latency={
            60: {50: Percentile(0.1, False), 95: Percentile(0.2, False), 99: Percentile(0.3, False)},
            80: {50: Percentile(0.5, False), 95: Percentile(9.0, True), 99: Percentile(9.5, True)},
        },
        reached={60: 3000, 80: 2900},
    )
    return Round(
        relay=relay,
        copy=50_000.0,
        intake=3_000.0,
        whole={
            1: Phase(declarations=1000, seconds=1000 / one, cpu_ms={"intake": 0.3, "dispatch": 3.0}),
            2: Phase(declarations=1000, seconds=1000 / two, cpu_ms={"intake": 0.4, "dispatch": 3.2}),
        },
        loads={100.0: load},
    )


def text(table) -> str:
    console = Console(width=250, record=True)
    console.print(table)
    return console.export_text()


ROUNDS = [a_round(10_000, 200, 210), a_round(8_000, 220, 220), a_round(12_000, 240, 230)]


def test_throughputs_show_median_spread_and_share_of_the_same_rounds_relay():
    shown = text(throughput_table(ROUNDS))
    assert "10,000" in shown and "8,000 - 12,000" in shown and "1.50" in shown
    # one process per service: 200/10000, 220/8000, 240/12000 -> median 0.020
    row = next(line for line in shown.splitlines() if "1 proc./service" in line)
    assert "0.020" in row and "1.20" in row


def test_two_over_one_is_the_median_of_per_round_ratios():
    assert scaling(ROUNDS) == 1.0


def test_latency_marks_ranks_never_reached_as_floors():
    rows = [line for line in text(latency_table(ROUNDS)).splitlines() if line.strip(" │").startswith("100")]
    to_60, to_80 = rows
    assert "≥" not in to_60 and "3,000" in to_60 and " 0.30 " in to_60
    assert "≥ 9.00" in to_80 and "≥ 9.50" in to_80 and "2,900" in to_80


def test_cpu_table_sums_the_stack_without_the_bench():
    shown = text(cpu_table(ROUNDS))
    total = next(line for line in shown.splitlines() if "stack total" in line)
    assert "3.30" in total and "3.60" in total and "2.00" in total


def test_json_holds_every_round():
    assert '"two_over_one": 1.0' in to_json({"rounds": 3}, ROUNDS)
