"""The README's capacity figures, written from a bench run rather than typed: Markdown tables between two markers
in README.md, which ``make bench ARGS=--readme`` replaces (the prose around them says what they mean)."""

import statistics
from pathlib import Path

from benchmarks.observe import TIMED
from benchmarks.report import STACK, Round, cpu_phases, fan_outs, idle_figures, ratios, stack_total, throughputs
from benchmarks.stats import spread

README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN = "<!-- bench:capacity: written by `make bench ARGS=--readme` from its run; not by hand -->"
END = "<!-- /bench:capacity -->"
SHOWN = ("intake", "workflow", "dispatch", "PostgreSQL", "Kafka broker")


def capacity(rounds: list[Round], day: str, run: str) -> str:
    n = len(rounds)
    lines = [
        f"Measured by `make bench` on {day} (run {run}): medians of {n} round{'s' if n > 1 else ''}, min - max "
        "beside them, on two cores shared by the broker, the database, every service and the load generator.",
        "",
        "| throughput | per second | min - max | over the raw fan-out |",
        "|---|---|---|---|",
    ]
    references = fan_outs(rounds)
    for name, values in throughputs(rounds).items():
        s = spread(values)
        unit = "records" if "relay" in name else "rows" if "COPY" in name else "declarations"
        share = f"{statistics.median(ratios(values, references)):.2f}" if unit == "declarations" else ""
        lines.append(f"| {name} | {s.median:,.0f} {unit} | {s.low:,.0f} - {s.high:,.0f} | {share} |")

    phases = cpu_phases(rounds)
    lines += [
        "",
        "| CPU ms per declaration | " + " | ".join(phases) + " |",
        "|---|" + "---|" * len(phases),
    ]
    for group in SHOWN:
        lines.append(
            f"| {group} | "
            + " | ".join(f"{statistics.median(p.cpu_ms.get(group, 0.0) for p in ps):.2f}" for ps in phases.values())
            + " |"
        )
    lines.append(
        "| **all** (raw fan-out: its clients and the broker) | "
        + " | ".join(f"**{statistics.median(stack_total(name, p) for p in ps):.2f}**" for name, ps in phases.items())
        + " |"
    )

    lines += [
        "",
        "| offered | reached 80 | " + " | ".join(f"p50 / p99 to {code} (s)" for code in TIMED) + " |",
        "|---|---|" + "---|" * len(TIMED),
    ]
    for rate in rounds[0].loads:
        loads = [r.loads[rate] for r in rounds]
        cells = []
        for code in TIMED:
            ranks = [r for p in loads if (r := p.latency.get(code)) is not None]
            if not ranks:
                cells.append("-")
                continue
            floor = "≥ " if any(r[99].lower_bound for r in ranks) else ""
            cells.append(
                f"{statistics.median(r[50].seconds for r in ranks):.3f} / "
                f"{floor}{statistics.median(r[99].seconds for r in ranks):.3f}"
            )
        reached = statistics.median(p.reached[80] / p.declarations for p in loads)
        lines.append(f"| {rate:,.0f}/s | {reached:.1%} | " + " | ".join(cells) + " |")

    idle = idle_figures(rounds)
    if idle:
        lines += ["", "| idle, per cent of one core | median | min - max |", "|---|---|---|"]
        for name in (*[g for g in STACK if g in idle], "all but the broker"):
            s = spread(idle[name])
            lines.append(f"| {name} | {s.median:.2f} | {s.low:.2f} - {s.high:.2f} |")
    return "\n".join([BEGIN, *lines, END]) + "\n"


def put_into(readme: Path, block: str) -> None:
    """Replace what stands between the markers (markers included) with ``block``."""
    text = readme.read_text()
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"{readme} has no capacity markers ({BEGIN} ... {END}); put them where the figures go")
    readme.write_text(text[:start] + block + text[end + len(END) + 1 :])
