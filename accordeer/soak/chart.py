"""The soak's chart (PNG, matplotlib's Agg backend): memory per process, the bounded tables' rows and dead rows,
outbox depth and lag, and p99 publish→80 per minute, with the faults marked."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from accordeer.soak.judge import FIXED_SIZE
from accordeer.soak.sampling import Minute


def draw(minutes: list[Minute], fault_minutes: list[tuple[float, str]], path: Path) -> None:
    figure, axes = plt.subplots(3, 2, figsize=(18, 14), sharex=True)
    (ours, theirs), (files, tables), (backlog, latency) = axes
    at = [m.at_minutes for m in minutes]
    names = sorted({n for m in minutes for n in m.processes})
    for name in names:
        axis = theirs if name.startswith("kafka") or name == "postgresql" else ours
        axis.plot(at, [p.rss_mb if (p := m.processes.get(name)) else None for m in minutes], label=name)
        files.plot(at, [p.open_files if (p := m.processes.get(name)) else None for m in minutes], label=name)
    ours.set_ylabel("resident memory, MB")
    ours.set_title("the services, the mocked gateway")
    theirs.set_ylabel("MB (PostgreSQL: Pss of all its processes)")
    theirs.set_title("the brokers and PostgreSQL")
    files.set_ylabel("open file descriptors")
    for axis in (ours, theirs, files):
        axis.legend(fontsize="small", ncol=3)

    bounded = sorted({t for m in minutes for t in m.tables if t.rsplit(".", 1)[1] in (*FIXED_SIZE, "outbox")})
    for table in bounded:
        tables.plot(at, [f.dead_rows if (f := m.tables.get(table)) else None for m in minutes], label=f"{table} dead")
    tables.set_ylabel("dead rows of the bounded tables")
    tables.legend(fontsize="small", ncol=2)

    for schema in sorted({s for m in minutes for s in m.outbox}):
        backlog.plot(at, [m.outbox.get(schema) for m in minutes], label=f"{schema} outbox rows")
    for group in sorted({g for m in minutes for g in m.lag}):
        backlog.plot(at, [m.lag.get(group) for m in minutes], linestyle="--", label=f"lag {group}")
    backlog.set_ylabel("rows / records waiting")
    backlog.legend(fontsize="small", ncol=2)

    latency.plot(at, [m.p99_to_80_s for m in minutes], marker=".", label="p99 publish→80 (s)")
    latency.set_ylabel("seconds")
    latency.legend(fontsize="small")
    for axis in (backlog, latency):
        axis.set_xlabel("minutes since publishing started")
    for axis in axes.flat:
        for minute, _ in fault_minutes:
            axis.axvline(minute, color="grey", alpha=0.25, linewidth=0.8)
    figure.suptitle("make soak: grey lines mark the faults")
    figure.tight_layout()
    figure.savefig(path, dpi=80)
    plt.close(figure)
