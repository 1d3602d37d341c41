from rich.console import Console

from benchmarks.fanout import FanOut
from benchmarks.readme import BEGIN, END, capacity, put_into
from benchmarks.report import Round, cpu_table, idle_table, latency_table, scaling, throughput_table, to_json
from benchmarks.stats import Percentile
from benchmarks.whole import Phase


def a_round(fan_out: float, one: float, two: float) -> Round:
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
        relay=50_000.0,
        copy=50_000.0,
        intake=3_000.0,
        whole={
            1: Phase(declarations=1000, seconds=1000 / one, cpu_ms={"intake": 0.3, "dispatch": 3.0}),
            2: Phase(declarations=1000, seconds=1000 / two, cpu_ms={"intake": 0.4, "dispatch": 3.2}),
        },
        loads={100.0: load},
        fanout=FanOut(declarations=1000, seconds=1000 / fan_out, cpu_ms={"bench itself": 0.5, "Kafka broker": 0.25}),
        idle={"intake": 0.4, "PostgreSQL": 0.3, "Kafka broker": 3.0},
    )


def text(table) -> str:
    console = Console(width=250, record=True)
    console.print(table)
    return console.export_text()


ROUNDS = [a_round(10_000, 200, 210), a_round(8_000, 220, 220), a_round(12_000, 240, 230)]


def test_throughputs_show_median_spread_and_share_of_the_same_rounds_raw_fan_out():
    shown = text(throughput_table(ROUNDS))
    fan_out = next(line for line in shown.splitlines() if "fan-out (the" in line)
    assert "10,000" in fan_out and "8,000 - 12,000" in fan_out and "1.50" in fan_out
    # one process per service: 200/10000, 220/8000, 240/12000 -> median 0.020
    row = next(line for line in shown.splitlines() if "1 proc./service" in line)
    assert "0.020" in row and "1.20" in row
    relay = next(line for line in shown.splitlines() if "relay (one topic)" in line)
    assert "50,000" in relay and "0.0" not in relay  # records, not declarations: no share


def test_two_over_one_is_the_median_of_per_round_ratios():
    assert scaling(ROUNDS) == 1.0


def test_latency_marks_ranks_never_reached_as_floors():
    rows = [line for line in text(latency_table(ROUNDS)).splitlines() if line.strip(" │").startswith("100")]
    to_30, to_60, to_80 = rows
    assert "-" in to_30  # not timed in these rounds
    assert "≥" not in to_60 and "3,000" in to_60 and " 0.30 " in to_60
    assert "≥ 9.00" in to_80 and "≥ 9.50" in to_80 and "2,900" in to_80


def test_cpu_table_sums_the_stack_without_the_bench():
    shown = text(cpu_table(ROUNDS))
    total = next(line for line in shown.splitlines() if "stack total" in line)
    # the raw fan-out's own clients and broker (0.75), then the stack without the bench
    assert "0.75" in total and "3.30" in total and "3.60" in total and "2.00" in total


def test_idle_sums_every_process_but_the_broker():
    row = next(line for line in text(idle_table(ROUNDS)).splitlines() if "all but the broker" in line)
    assert "0.70" in row


def test_the_readmes_figures_are_replaced_between_their_markers(tmp_path):
    block = capacity(ROUNDS, "2026-12-06", "run-1")
    assert block.startswith(BEGIN) and block.rstrip().endswith(END)
    assert "| pipeline, 1 proc./service | 220 declarations | 200 - 240 | 0.02 |" in block
    assert "| **all** (raw fan-out: its clients and the broker) | **0.75** | **3.30** | **3.60** | **2.00** |" in block
    assert "| 100/s | 96.7% | - | 0.100 / 0.300 | 0.500 / ≥ 9.500 |" in block
    readme = tmp_path / "README.md"
    readme.write_text(f"before\n{BEGIN}\nold figures\n{END}\nafter\n")
    put_into(readme, block)
    put_into(readme, block)
    assert readme.read_text() == f"before\n{block}after\n"


def test_json_holds_every_round():
    assert '"two_over_one": 1.0' in to_json({"rounds": 3}, ROUNDS)
