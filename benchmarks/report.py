"""The bench's table: every figure as the median of its rounds with their spread, throughputs also as a share
of the same round's raw relay; and the same as JSON."""

import json
import statistics
from dataclasses import asdict, dataclass, field

from rich.table import Table

from benchmarks.stats import PERCENTILES, Percentile, ratios, spread
from benchmarks.whole import Phase

STACK = ("intake", "workflow", "dispatch", "gateway mock", "Kafka broker", "PostgreSQL")


@dataclass
class Round:
    relay: float
    copy: float
    intake: float
    whole: dict[int, Phase] = field(default_factory=dict)
    """Processes per service → the throughput phase."""
    loads: dict[float, Phase] = field(default_factory=dict)
    """Offered declarations/s → the latency phase."""


def throughputs(rounds: list[Round]) -> dict[str, list[float]]:
    figures = {
        "raw Kafka relay": [r.relay for r in rounds],
        "raw PostgreSQL COPY": [r.copy for r in rounds],
        "intake alone": [r.intake for r in rounds],
    }
    for processes in rounds[0].whole:
        figures[f"pipeline, {processes} proc./service"] = [r.whole[processes].throughput for r in rounds]
    return figures


def throughput_table(rounds: list[Round]) -> Table:
    table = Table(
        title=f"Throughput per second (relay: records, COPY: rows, others: declarations to their end); "
        f"{len(rounds)} round{'s' if len(rounds) > 1 else ''}"
    )
    for column in ("measurement", "median", "min - max", "max/min", "x relay"):
        table.add_column(column, justify="left" if column == "measurement" else "right")
    relays = [r.relay for r in rounds]
    for name, values in throughputs(rounds).items():
        s = spread(values)
        share = statistics.median(ratios(values, relays))
        table.add_row(name, f"{s.median:,.0f}", f"{s.low:,.0f} - {s.high:,.0f}", f"{s.ratio:.2f}", f"{share:.3f}")
    return table


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
        title="Latency from publish (s) at offered loads (decl./s), reviewer's own time excluded; "
        "medians. ≥: a floor, that rank had not arrived when the bench stopped waiting"
    )
    for column in ("load", "to", "sent", "reached", *(f"p{p}" for p in PERCENTILES), "p99 max/min"):
        table.add_column(column, justify="right")
    for rate in rounds[0].loads:
        phases = [r.loads[rate] for r in rounds]
        for code in (60, 80):
            p99 = [ranks[99].seconds for p in phases if (ranks := p.latency[code])]
            table.add_row(
                f"{rate:,.0f}",
                str(code),
                f"{statistics.median(p.declarations for p in phases):,.0f}",
                f"{statistics.median(p.reached[code] for p in phases):,.0f}",
                *[
                    percentile_text([ranks[q] if (ranks := p.latency[code]) else None for p in phases])
                    for q in PERCENTILES
                ],
                f"{spread(p99).ratio:.2f}" if p99 else "-",
                end_section=code == 80,
            )
    return table


def cpu_phases(rounds: list[Round]) -> dict[str, list[Phase]]:
    phases = {f"{n}/service": [r.whole[n] for r in rounds] for n in rounds[0].whole}
    phases |= {f"{rate:,.0f}/s": [r.loads[rate] for r in rounds] for rate in rounds[0].loads}
    return phases


def cpu_table(rounds: list[Round]) -> Table:
    table = Table(
        title="CPU ms per declaration, process and children; medians. Throughput phases at 1 and 2 "
        "processes per service, then the loads (per declaration that reached 80 in the phase)"
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
        *[f"{statistics.median(sum(p.cpu_ms.get(g, 0.0) for g in STACK) for p in ps):.2f}" for ps in phases.values()],
        style="bold",
    )
    return table


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
