"""The bench's tables: every figure as the median of its rounds with their spread, throughputs also as a share
of the same round's raw fan-out (the pipeline's Kafka work without the pipeline); and the same as JSON."""

import json
import math
import statistics
from dataclasses import asdict, dataclass, field

from rich.table import Table

from benchmarks.fanout import FanOut
from benchmarks.observe import TIMED
from benchmarks.stats import PERCENTILES, Percentile, ratios, spread
from benchmarks.whole import Phase

SERVICES = ("intake", "workflow", "dispatch", "notifier", "portal", "status_api", "gateway mock", "mail sink")
STACK = (*SERVICES, "PostgreSQL", "Kafka broker")
OURS = STACK[:-1]
"""What the idle target counts: everything but the broker."""


@dataclass
class Round:
    relay: float
    copy: float
    intake: float
    whole: dict[int, Phase] = field(default_factory=dict)
    """Processes per service → the throughput phase."""
    loads: dict[float, Phase] = field(default_factory=dict)
    """Offered declarations/s → the latency phase."""
    fanout: FanOut | None = None
    """The one-process throughput phase's Kafka work, replayed raw."""
    idle: dict[str, float] = field(default_factory=dict)
    """Process group → per cent of one core with nothing arriving."""


def throughputs(rounds: list[Round]) -> dict[str, list[float]]:
    figures = {
        "raw Kafka fan-out (the pipeline's records)": [r.fanout.throughput if r.fanout else math.nan for r in rounds],
        "raw Kafka relay (one topic)": [r.relay for r in rounds],
        "raw PostgreSQL COPY": [r.copy for r in rounds],
        "intake alone": [r.intake for r in rounds],
    }
    for processes in rounds[0].whole:
        figures[f"pipeline, {processes} proc./service"] = [r.whole[processes].throughput for r in rounds]
    return figures


def throughput_table(rounds: list[Round]) -> Table:
    table = Table(
        title=f"Throughput per second (relay: records, COPY: rows, others: declarations to their end); "
        f"{len(rounds)} round{'s' if len(rounds) > 1 else ''}; x fan-out: over the same round's raw fan-out"
    )
    for column in ("measurement", "median", "min - max", "max/min", "x fan-out"):
        table.add_column(column, justify="left" if column == "measurement" else "right")
    references = fan_outs(rounds)
    for name, values in throughputs(rounds).items():
        s = spread(values)
        share = statistics.median(ratios(values, references)) if "declarations" in unit(name) else None
        table.add_row(
            name,
            f"{s.median:,.0f}",
            f"{s.low:,.0f} - {s.high:,.0f}",
            f"{s.ratio:.2f}",
            f"{share:.3f}" if share is not None else "",
        )
    return table


def fan_outs(rounds: list[Round]) -> list[float]:
    return [r.fanout.throughput if r.fanout else math.nan for r in rounds]


def unit(name: str) -> str:
    return "records" if "relay" in name else "rows" if "COPY" in name else "declarations"


def work_table(rounds: list[Round]) -> Table:
    """What the pipeline moved through Kafka per declaration (round 1's throughput phase, one process each)."""
    phase = rounds[0].whole[min(rounds[0].whole)]
    table = Table(title="Kafka work per declaration, as the raw fan-out replays it (round 1)")
    for column in ("topic", "records", "mean bytes", "groups reading"):
        table.add_column(column, justify="left" if column == "topic" else "right")
    for w in phase.work:
        table.add_row(w.topic, f"{w.records / phase.declarations:.2f}", f"{w.mean_bytes:,.0f}", str(w.groups))
    return table


def idle_table(rounds: list[Round]) -> Table:
    table = Table(title="Idle: per cent of one core with nothing arriving (medians, min - max)")
    for column in ("process", "median", "min - max"):
        table.add_column(column, justify="left" if column == "process" else "right")
    for name, values in idle_figures(rounds).items():
        s = spread(values) if values else None
        table.add_row(name, f"{s.median:.2f}" if s else "-", f"{s.low:.2f} - {s.high:.2f}" if s else "-")
    return table


def idle_figures(rounds: list[Round]) -> dict[str, list[float]]:
    measured = [r.idle for r in rounds if r.idle]
    figures = {g: [i[g] for i in measured if g in i] for g in (*STACK, "bench itself") if any(g in i for i in measured)}
    if measured:
        figures["all but the broker"] = [sum(i.get(g, 0.0) for g in OURS) for i in measured]
    return figures


def scaling(rounds: list[Round]) -> float | None:
    """Two processes per service over one, median of the rounds."""
    if not {1, 2} <= set(rounds[0].whole):
        return None
    return statistics.median(ratios([r.whole[2].throughput for r in rounds], [r.whole[1].throughput for r in rounds]))


def percentile_text(values: list[Percentile | None]) -> str:
    known = [v for v in values if v is not None]
    if not known:
        return "-"
    floor = "≥ " if any(v.lower_bound for v in known) else ""
    return f"{floor}{statistics.median(v.seconds for v in known):,.2f}"


def latency_table(rounds: list[Round]) -> Table:
    table = Table(
        title="Latency from publish to receipt of the status (s) at offered loads (decl./s), the reviewer's own "
        "time excluded from 60 and 80; "
        "medians. ≥: a floor, that rank had not arrived when the bench stopped waiting"
    )
    for column in ("load", "to", "sent", "reached", *(f"p{p}" for p in PERCENTILES), "p99 max/min"):
        table.add_column(column, justify="right")
    for rate in rounds[0].loads:
        phases = [r.loads[rate] for r in rounds]
        for code in TIMED:
            p99 = [ranks[99].seconds for p in phases if (ranks := p.latency.get(code))]
            table.add_row(
                f"{rate:,.0f}",
                str(code),
                f"{statistics.median(p.declarations for p in phases):,.0f}",
                f"{statistics.median(p.reached.get(code, 0) for p in phases):,.0f}",
                *[
                    percentile_text([ranks[q] if (ranks := p.latency.get(code)) else None for p in phases])
                    for q in PERCENTILES
                ],
                f"{spread(p99).ratio:.2f}" if p99 else "-",
                end_section=code == TIMED[-1],
            )
    return table


def cpu_phases(rounds: list[Round]) -> dict[str, list[Phase | FanOut]]:
    phases: dict[str, list[Phase | FanOut]] = {}
    if all(r.fanout for r in rounds):
        phases["raw fan-out"] = [r.fanout for r in rounds if r.fanout]
    phases |= {f"{n}/service": [r.whole[n] for r in rounds] for n in rounds[0].whole}
    phases |= {f"{rate:,.0f}/s": [r.loads[rate] for r in rounds] for rate in rounds[0].loads}
    return phases


def cpu_table(rounds: list[Round]) -> Table:
    table = Table(
        title="CPU ms per declaration, process and children; medians. The raw fan-out (its clients are the bench "
        "itself), the throughput phases per processes of each pipeline service, then the offered loads (per "
        "declaration that reached 80 in the phase)"
    )
    phases = cpu_phases(rounds)
    table.add_column("process")
    for name in phases:
        table.add_column(name, justify="right")
    groups = [g for g in (*STACK, "bench itself") if any(g in p.cpu_ms for ps in phases.values() for p in ps)]
    for group in groups:
        table.add_row(
            group, *[f"{statistics.median(p.cpu_ms.get(group, 0.0) for p in ps):.2f}" for ps in phases.values()]
        )
    table.add_row(
        "stack total",
        *[f"{statistics.median(stack_total(name, p) for p in ps):.2f}" for name, ps in phases.items()],
        style="bold",
    )
    return table


def stack_total(phase_name: str, phase: Phase | FanOut) -> float:
    """The stack's CPU per declaration; for the raw fan-out, its clients' (the bench itself) and the broker's."""
    groups = ("bench itself", "Kafka broker") if phase_name == "raw fan-out" else STACK
    return sum(phase.cpu_ms.get(g, 0.0) for g in groups)


def to_json(options: dict, rounds: list[Round]) -> str:
    summary = {name: asdict(spread(values)) for name, values in throughputs(rounds).items()}
    return json.dumps(
        {
            "options": options,
            "summary": summary,
            "two_over_one": scaling(rounds),
            "rounds": [asdict(r) for r in rounds],
        },
        indent=2,
        default=str,
    )
