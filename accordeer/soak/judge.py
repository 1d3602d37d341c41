"""The soak's rules over its minutes, as pure logic: what may not grow without bound.

- **Memory**: each long-lived service process ("a": never killed by the soak) over the judged window, the run's
  last two thirds (forty minutes of an hour): the least-squares slope of its resident memory, times the window,
  must be under 10% of its mean. A process that restarted inside the window fails: it died on its own.
- **Open files**: the same processes' most open descriptors in the window's last third at most 10 above the most
  in its first third.
- **Bounded tables**: outboxes hold at most 10 rows once the run has drained (the relay empties them); inbox
  positions, relay leases and directory positions (one row per partition and consumer) hold no more rows at the end
  than a third of the way in; the dead rows of all of them, in the last third, have an upper quartile no higher than
  1.5 times the middle third's plus 1,000 (autovacuum keeps up). A quartile, not the peak: sampled once a minute, an
  outbox churned at hundreds of rows a second shows single-minute spikes wherever the sample falls in autovacuum's
  cycle (the first hour failed a peak rule on one such minute, its upper quartiles flat: 11,525 then 10,676).
"""

import statistics
from dataclasses import dataclass, field

from accordeer.soak.sampling import Minute

JUDGED = ("intake-a", "workflow-a", "dispatch-a")
MEMORY_GROWTH_LIMIT = 0.10
FIXED_SIZE = ("inbox_positions", "relay_leases", "directory_positions")
OUTBOX_DRAINED_ROWS = 10


@dataclass
class Finding:
    rule: str
    subject: str
    ok: bool
    figure: str


@dataclass
class SoakVerdict:
    findings: list[Finding] = field(default_factory=list)
    slopes_mb_per_hour: dict[str, float] = field(default_factory=dict)
    """Every process's memory slope over the judged window (where it lived through it), judged or not."""

    @property
    def ok(self) -> bool:
        return bool(self.findings) and all(f.ok for f in self.findings)


def judge(minutes: list[Minute], final: Minute | None) -> SoakVerdict:
    verdict = SoakVerdict()
    if len(minutes) < 6:
        verdict.findings.append(Finding("samples", "run", False, f"{len(minutes)} minutes sampled; at least 6 needed"))
        return verdict
    start = minutes[-1].at_minutes / 3
    window = [m for m in minutes if m.at_minutes >= start]
    _memory(window, verdict)
    _open_files(window, verdict)
    _tables(minutes, final or minutes[-1], verdict)
    return verdict


def _lifetime(window: list[Minute], name: str) -> list[tuple[float, float, int]] | None:
    """(minute, MB, open files) of ``name`` over the window, or None when it was missing or restarted in it."""
    series = [(m.at_minutes, p.rss_mb, p.open_files, p.pid) for m in window if (p := m.processes.get(name))]
    if len(series) < len(window) - 1 or len({pid for *_, pid in series}) != 1:
        return None
    return [(at, mb, files) for at, mb, files, _ in series]


def _memory(window: list[Minute], verdict: SoakVerdict) -> None:
    names = sorted({name for m in window for name in m.processes})
    span = window[-1].at_minutes - window[0].at_minutes
    for name in names:
        series = _lifetime(window, name)
        if series is None:
            if name in JUDGED:
                verdict.findings.append(Finding("memory", name, False, "restarted or missing in the judged window"))
            continue
        slope, _ = statistics.linear_regression([at for at, *_ in series], [mb for _, mb, _ in series])
        verdict.slopes_mb_per_hour[name] = round(slope * 60, 1)
        if name in JUDGED:
            mean = statistics.fmean(mb for _, mb, _ in series)
            growth = slope * span / mean
            verdict.findings.append(
                Finding(
                    "memory",
                    name,
                    growth < MEMORY_GROWTH_LIMIT,
                    f"{growth:+.1%} over {span:.0f} min (mean {mean:.0f} MB, {slope * 60:+.1f} MB/h)",
                )
            )


def _open_files(window: list[Minute], verdict: SoakVerdict) -> None:
    third = max(1, len(window) // 3)
    for name in JUDGED:
        series = _lifetime(window, name)
        if series is None:
            continue
        first, last = max(f for *_, f in series[:third]), max(f for *_, f in series[-third:])
        verdict.findings.append(Finding("open files", name, last <= first + 10, f"{first} → {last}"))


def _tables(minutes: list[Minute], final: Minute, verdict: SoakVerdict) -> None:
    sampled = [m for m in minutes if m.tables]
    if not sampled or not final.tables:
        verdict.findings.append(Finding("tables", "PostgreSQL", False, "no table figures were read"))
        return
    end = sampled[-1].at_minutes
    third_in = next(m for m in sampled if m.at_minutes >= end / 3)
    middle = [m for m in sampled if end / 3 <= m.at_minutes < 2 * end / 3]
    last = [m for m in sampled if m.at_minutes >= 2 * end / 3]
    for schema, rows in sorted(final.outbox.items()):
        verdict.findings.append(
            Finding("outbox drained", f"{schema}.outbox", rows <= OUTBOX_DRAINED_ROWS, f"{rows} rows after the drain")
        )
    bounded = sorted(t for t in final.tables if t.rsplit(".", 1)[1] in (*FIXED_SIZE, "outbox"))
    for table in bounded:
        if table.rsplit(".", 1)[1] in FIXED_SIZE and table in third_in.tables:
            before, after = third_in.tables[table].rows, final.tables[table].rows
            verdict.findings.append(Finding("fixed size", table, after <= before, f"{before} → {after} rows"))
        middle_high = _upper_quartile([m.tables[table].dead_rows for m in middle if table in m.tables])
        last_high = _upper_quartile([m.tables[table].dead_rows for m in last if table in m.tables])
        verdict.findings.append(
            Finding(
                "dead rows",
                table,
                last_high <= 1.5 * middle_high + 1000,
                f"upper quartile {middle_high:.0f} in the middle third, {last_high:.0f} in the last",
            )
        )


def _upper_quartile(values: list[int]) -> float:
    if len(values) < 2:
        return float(values[0]) if values else 0.0
    return statistics.quantiles(values, n=4)[2]
