"""Accordeer's whole-pipeline benchmark against the raw limits of the same broker and server, in one run.

    make bench                    (python -m benchmarks.pipeline; make bench ARGS="--quick" for a smoke check)

Per round, each phase on a fresh database and topic prefix with the whole stack as `make run` runs it (every
service, logging INFO as JSON lines), warmed up by one declaration and settled for ten seconds: (1) the raw
limits: a plain aiokafka relay (consume, produce, commit) of declaration-sized records between two topics, and
PostgreSQL COPY of the same rows; (2) intake alone; (3) the whole pipeline with 1, 2 and 3 processes of intake,
workflow and dispatch: declarations/s from the first publish to the last status 80, with an automatic reviewer
approving every client task at once and the mocked gateway at zero latency; (4) the raw fan-out: the Kafka work
phase (3) did with one process each (as many records per topic, of the same sizes, read by as many consumer
groups) replayed by plain aiokafka clients, the reference every pipeline throughput is divided by; (5) latency
publish -> 60 (filed) and -> 80 (accepted), received by a consumer as a package receives its statuses, at fixed
offered loads of a minute each, the reviewer's own time excluded and messages never reached counted; (6) idle:
each process's CPU over a minute with nothing arriving. CPU per declaration of each process from /proc, divided
by the declarations that reached 80. The tables show the medians of the rounds and how far they lay apart.

Writes table.txt, capacity.md (the README's capacity figures; --readme puts them there), bench.json and
bench.png under .cache/bench/<timestamp>/. A default run (three rounds) takes about an hour on two cores, most
of it in the loads and the idle minute; --quick about 4 minutes.
"""

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from rich.console import Console

from accordeer.connect import CACHE_DIR
from benchmarks import intake_alone, raw, readme, whole
from benchmarks.readme import README
from benchmarks.report import (
    OURS,
    Round,
    cpu_table,
    idle_table,
    latency_table,
    scaling,
    throughput_table,
    to_json,
    work_table,
)
from benchmarks.stack import INSTANCES, infrastructure_roots, phase_system
from benchmarks.workload import declarations
from tests.support.infrastructure import session_infrastructure

DEFAULTS = {
    "rounds": 3,
    "records": 10000,
    "declarations": 3000,
    "loads": [10.0, 50.0, 100.0, 200.0],
    "load_seconds": 60.0,
    "drain_seconds": 20.0,
    "processes": [1, 2, 3],
    "idle_seconds": 60.0,
}
QUICK = {
    "rounds": 1,
    "records": 2000,
    "declarations": 300,
    "loads": [50.0],
    "load_seconds": 10.0,
    "drain_seconds": 10.0,
    "processes": [1],
    "idle_seconds": 10.0,
}


def positive(kind):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be above 0, not {text}")
        return value

    return parse


def listed(kind):
    def parse(text: str):
        return [positive(kind)(part) for part in text.split(",") if part.strip()] or positive(kind)("")

    return parse


def options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.pipeline", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=positive(int), help=f"rounds (default {DEFAULTS['rounds']})")
    parser.add_argument(
        "--records",
        type=positive(int),
        help=f"records of the raw limits and of intake alone (default {DEFAULTS['records']})",
    )
    parser.add_argument(
        "--declarations",
        type=positive(int),
        help=f"declarations of each whole-pipeline throughput phase (default {DEFAULTS['declarations']})",
    )
    parser.add_argument(
        "--loads",
        type=listed(float),
        help="offered loads of the latency phases, declarations/s, comma separated (default 10,50,100,200)",
    )
    parser.add_argument(
        "--load-seconds",
        type=positive(float),
        help=f"how long each load is offered (default {DEFAULTS['load_seconds']:.0f})",
    )
    parser.add_argument(
        "--drain-seconds",
        type=positive(float),
        help="how long to wait after a load for its last declarations; those still short of 60 "
        f"or 80 then count as unreached (default {DEFAULTS['drain_seconds']:.0f})",
    )
    parser.add_argument(
        "--processes",
        type=listed(int),
        help="processes per service of the throughput phases, comma separated (default 1,2,3)",
    )
    parser.add_argument(
        "--idle-seconds",
        type=positive(float),
        help=f"how long the idle phase measures (default {DEFAULTS['idle_seconds']:.0f})",
    )
    parser.add_argument(
        "--readme",
        action="store_true",
        help="write the capacity figures into README.md (between its bench markers) as well",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes and one round, for a smoke check (explicit options still apply)",
    )
    args = parser.parse_args(argv)
    if args.processes and max(args.processes) > len(INSTANCES):
        parser.error(f"argument --processes: at most {len(INSTANCES)} processes per service")
    for name, default in DEFAULTS.items():
        if getattr(args, name) is None:
            setattr(args, name, QUICK.get(name, default) if args.quick else default)
    return args


async def one_round(number: int, args, infra, infra_roots, log_dir: Path, say) -> Round:
    tag = f"r{number}"
    records = declarations(f"{tag}-raw", args.records)
    async with phase_system(infra, f"{tag}raw", log_dir, services=(), gateway=False) as (settings, _):
        relay = await raw.relay(settings, records)
        copy = await raw.copy(settings, records)
    say(f"round {number}: relay {relay:,.0f}/s, COPY {copy:,.0f}/s")
    intake = await intake_alone.intake_alone(
        infra, f"{tag}intake", log_dir, declarations(f"{tag}-intake", args.records)
    )
    say(f"round {number}: intake alone {intake:,.0f}/s")
    result = Round(relay=relay, copy=copy, intake=intake)
    timeout = max(600.0, args.declarations / 10)
    for processes in args.processes:
        phase, values = await whole.throughput(
            infra, infra_roots, f"{tag}p{processes}", log_dir, args.declarations, processes, timeout
        )
        result.whole[processes] = phase
        say(
            f"round {number}: whole pipeline, {processes} per service: {phase.throughput:,.0f}/s "
            f"({phase.seconds:.1f} s)"
        )
        if result.fanout is None:
            result.fanout = await whole.raw_fan_out(infra, infra_roots, f"{tag}fan", log_dir, phase, values)
            read = sum(w.records * w.groups for w in phase.work) / phase.declarations
            say(
                f"round {number}: raw fan-out of its Kafka work: {result.fanout.throughput:,.0f}/s ({read:.1f} "
                "records read per declaration)"
            )
    for rate in args.loads:
        phase = await whole.load(
            infra, infra_roots, f"{tag}l{rate:.0f}", log_dir, rate, args.load_seconds, args.drain_seconds
        )
        result.loads[rate] = phase
        say(f"round {number}: {rate:,.0f}/s offered: {phase.reached[80]:,} of {phase.declarations:,} reached 80")
    result.idle = await whole.idle(infra, infra_roots, f"{tag}idle", log_dir, args.idle_seconds, settle=20.0)
    say(f"round {number}: idle, all but the broker: {sum(result.idle.get(g, 0.0) for g in OURS):.2f}% of a core")
    return result


async def main(args) -> int:
    # The relay's group is the first on a fresh broker, which loads its coordinator meanwhile; the retry succeeds.
    logging.getLogger("aiokafka.consumer.group_coordinator").setLevel(logging.CRITICAL)
    out = CACHE_DIR / "bench" / time.strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    console = Console()
    began = time.monotonic()

    def say(line: str) -> None:
        console.print(f"[dim]{time.monotonic() - began:6.0f} s[/dim] {line}")

    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        infra = stack.enter_context(session_infrastructure(Path(tmp)))
        infra_roots = await infrastructure_roots(infra)
        say(f"infrastructure: {infra.origin}; CPU read for: {', '.join(infra_roots)}; {args.rounds} round(s)")
        rounds = [await one_round(n, args, infra, infra_roots, out / "logs", say) for n in range(1, args.rounds + 1)]
    tables = [
        throughput_table(rounds),
        work_table(rounds),
        latency_table(rounds),
        cpu_table(rounds),
        idle_table(rounds),
    ]
    with (out / "table.txt").open("w") as file:
        record = Console(file=file, width=200)
        for table in tables:
            console.print(table)
            record.print(table)
        if (two := scaling(rounds)) is not None:
            line = f"two processes per service: {two:.2f}x the throughput of one (median of per-round ratios)"
            console.print(line)
            record.print(line)
    (out / "bench.json").write_text(to_json(vars(args), rounds))
    capacity = readme.capacity(rounds, time.strftime("%Y-%m-%d"), out.name)
    (out / "capacity.md").write_text(capacity)
    if args.readme:
        readme.put_into(README, capacity)
        say(f"the capacity figures are in {README}")
    from benchmarks.chart import draw  # matplotlib: only the bench extra has it

    draw(rounds, out / "bench.png")
    say(f"written: {out}/table.txt, bench.json, bench.png (service logs in {out}/logs)")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(options())))
