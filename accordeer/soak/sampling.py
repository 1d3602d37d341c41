"""The soak's minute-by-minute figures, read from outside the services: /proc for processes, PostgreSQL's
statistics views for tables, the consumer groups' offsets for lag, the run's timeline for latency."""

import asyncio
import contextlib
import json
import os
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import asyncpg

from accordeer.chaos.observe import Timeline
from accordeer.chaos.stack import ChaosStack
from shared.lag.monitor import lag_report

SCHEMAS = ("intake", "workflow", "dispatch")
"""The services the chaos stack runs (accordeer/chaos/stack.py); the portal, the notifier and the status API are
not part of it, so their tables and groups are not judged here."""


@dataclass(frozen=True)
class ProcessFigures:
    pid: int
    rss_mb: float
    open_files: int


@dataclass(frozen=True)
class TableFigures:
    rows: int
    dead_rows: int
    megabytes: float


@dataclass
class Minute:
    at_minutes: float
    """Since publishing started."""
    processes: dict[str, ProcessFigures] = field(default_factory=dict)
    tables: dict[str, TableFigures] = field(default_factory=dict)
    """By schema.table; empty when PostgreSQL did not answer (a fault)."""
    outbox: dict[str, int] = field(default_factory=dict)
    lag: dict[str, int] = field(default_factory=dict)
    """By consumer group; empty when Kafka did not answer."""
    sent: int = 0
    """Declarations sent so far."""
    accepted: int = 0
    """80s received in this minute."""
    p99_to_80_s: float | None = None
    unread: list[str] = field(default_factory=list)
    """The figures that could not be read this minute, and why (a fault in progress): missing, not fatal."""


def process_figures(pid: int) -> ProcessFigures | None:
    """Resident memory and open file descriptors of a live process; None once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        open_files = len(os.listdir(f"/proc/{pid}/fd"))
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    rss_kb = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return ProcessFigures(pid, round(rss_kb / 1024, 1), open_files)


def postgres_figures(data_dir: Path) -> ProcessFigures | None:
    """The whole server: its processes' proportional share of memory (Pss, so the shared buffers count once) and
    their open files."""
    try:
        postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None
    pids = [postmaster, *_children(postmaster)]
    pss_kb, open_files = 0, 0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError, PermissionError):
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            pss_kb += next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0)
            open_files += len(os.listdir(f"/proc/{pid}/fd"))
    return ProcessFigures(postmaster, round(pss_kb / 1024, 1), open_files)


def _children(parent: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                # The parent pid is the second field after the command's closing parenthesis.
                if int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                    children.append(int(entry))
    return children


async def table_figures(database_url: str) -> tuple[dict[str, TableFigures], dict[str, int]]:
    """Every table of the product's schemas (rows and dead rows as autovacuum counts them, size with indexes and
    TOAST), and each service's outbox depth counted exactly."""
    conn = await asyncpg.connect(database_url, timeout=10)
    try:
        rows = await conn.fetch(
            "SELECT schemaname || '.' || relname AS name, n_live_tup, n_dead_tup, pg_total_relation_size(relid)"
            " AS bytes FROM pg_stat_user_tables WHERE schemaname = ANY($1::text[]) ORDER BY 1",
            list(SCHEMAS),
        )
        outbox = {schema: await conn.fetchval(f"SELECT count(*) FROM {schema}.outbox") for schema in SCHEMAS}
    finally:
        await conn.close()
    tables = {r["name"]: TableFigures(r["n_live_tup"], r["n_dead_tup"], round(r["bytes"] / 1_048_576, 2)) for r in rows}
    return tables, outbox


def p99(values: list[float]) -> float | None:
    if len(values) < 2:
        return round(values[0], 3) if values else None
    return round(statistics.quantiles(values, n=100, method="inclusive")[98], 3)


class Sampler:
    """Takes a Minute every ``interval`` seconds from the start of publishing until cancelled, and a last one
    (``final``) when cancelled, which the run does once it has drained."""

    def __init__(self, interval: float = 60.0, keep_in: Path | None = None):
        self.interval = interval
        self.keep_in = keep_in
        """Where the minutes so far are written after each one, so a soak cut short still leaves them."""
        self.minutes: list[Minute] = []
        self.final: Minute | None = None
        self.started = time.monotonic()
        self._seen_accepted = 0

    async def run(self, stack: ChaosStack, timeline: Timeline) -> None:
        self.started = time.monotonic()
        try:
            while True:
                await asyncio.sleep(self.interval - (time.monotonic() - self.started) % self.interval)
                self.minutes.append(await self.take(stack, timeline))
                if self.keep_in is not None:
                    self.keep_in.mkdir(parents=True, exist_ok=True)
                    (self.keep_in / "minutes.json").write_text(json.dumps(as_dicts(self.minutes)))
        except asyncio.CancelledError:
            async with asyncio.timeout(60):
                self.final = await self.take(stack, timeline)
            raise

    async def take(self, stack: ChaosStack, timeline: Timeline) -> Minute:
        minute = Minute(at_minutes=round((time.monotonic() - self.started) / 60, 2))
        for name, process in stack.started_services.processes.items():
            if process.running() and (figures := process_figures(process.pid)):
                minute.processes[name] = figures
        for i, broker in stack.started_cluster.processes.items():
            if broker.running() and (figures := process_figures(broker.pid)):
                minute.processes[f"kafka-{i}"] = figures
        if figures := postgres_figures(stack.started_postgres.data_dir):
            minute.processes["postgresql"] = figures
        settings = stack.started_settings
        # A sampler that stops loses the soak's hour: a figure that cannot be read while a fault is in progress (a
        # PostgreSQL restart once left asyncpg's connection in a state it refused to use) is noted and skipped.
        try:
            async with asyncio.timeout(30):
                minute.tables, minute.outbox = await table_figures(settings.database_url)
        except Exception as error:
            minute.unread.append(f"tables: {type(error).__name__}: {error}")
        try:
            async with asyncio.timeout(30):
                report = await lag_report(settings.kafka_bootstrap_servers, settings.topics, window=1)
            # Only the groups of the services the chaos stack runs: the portal's, the notifier's and the
            # status API's groups have no member there and would only count what nobody reads.
            minute.lag = {g.group: g.lag for g in report.groups if any(s in g.group for s in SCHEMAS)}
        except Exception as error:
            minute.unread.append(f"lag: {type(error).__name__}: {error}")
        accepted = timeline.accepted[self._seen_accepted :]
        self._seen_accepted += len(accepted)
        minute.sent = len(timeline.published)
        minute.accepted = len(accepted)
        minute.p99_to_80_s = p99([latency for _, latency in accepted])
        return minute


def as_dicts(minutes: list[Minute]) -> list[dict]:
    return [asdict(minute) for minute in minutes]


def from_dict(figures: dict) -> Minute:
    """A minute as ``as_dicts`` wrote it."""
    return Minute(
        **{
            **figures,
            "processes": {name: ProcessFigures(**p) for name, p in figures.get("processes", {}).items()},
            "tables": {name: TableFigures(**t) for name, t in figures.get("tables", {}).items()},
        }
    )
