"""`python -m accordeer.soak` (`make soak`): one soak; prints the chaos table and the soak's rules, writes the
minutes, the verdict and a chart under the work folder, and exits 1 when anything was lost or grew without bound."""

import argparse
import asyncio
import json
import logging
import sys
import time
from dataclasses import asdict
from pathlib import Path

from accordeer.chaos.report import text, write_json
from accordeer.chaos.run import ChaosSettings, run
from accordeer.connect import CACHE_DIR
from accordeer.soak import chart, schedule
from accordeer.soak.judge import SoakVerdict, judge
from accordeer.soak.sampling import Minute, Sampler, TableFigures, as_dicts, from_dict


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m accordeer.soak", description=__doc__)
    parser.add_argument("--minutes", type=float, default=60, help="publishing time (default %(default)s)")
    parser.add_argument(
        "--rate",
        type=float,
        default=50,
        help="declarations per second (default %(default)s)",
    )
    parser.add_argument("--fault-every", type=float, default=3, help="minutes between faults (default %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="seed of declarations and decisions")
    parser.add_argument("--work-dir", type=Path, default=CACHE_DIR / "soak", help="default %(default)s")
    parser.add_argument(
        "--judge",
        type=Path,
        metavar="FOLDER",
        help="judge the minutes a soak wrote to FOLDER again, by today's rules, instead of running one",
    )
    args = parser.parse_args(argv)
    if args.judge is not None:
        return _judge_again(args.judge)
    window = args.minutes * 60
    settings = ChaosSettings(
        declarations=max(1, round(args.rate * window)),
        seed=args.seed,
        rate=args.rate,
        drain_timeout=900,
        work_dir=args.work_dir,
    )
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    sampler = Sampler(keep_in=args.work_dir / "latest")
    try:
        report = asyncio.run(
            run(settings, schedule=schedule.every(window, args.fault_every * 60), companion=sampler.run)
        )
    except KeyboardInterrupt:
        print("soak interrupted; the stack was stopped", file=sys.stderr)
        return 2
    verdict = judge(sampler.minutes, sampler.final)
    faults = [(fault.started / 60, fault.name) for fault in report.faults]
    folder = args.work_dir / f"soak-{report.run_id}"
    folder.mkdir(parents=True, exist_ok=True)
    chart.draw(sampler.minutes, faults, folder / "soak.png")
    summary = _summary(report.ok, verdict, sampler.minutes, sampler.final, args)
    summary["faults"] = [asdict(fault) for fault in report.faults]
    (folder / "summary.json").write_text(json.dumps(summary, indent=2))
    (folder / "minutes.json").write_text(json.dumps(as_dicts(sampler.minutes)))
    if sampler.final is not None:
        (folder / "final.json").write_text(json.dumps(asdict(sampler.final)))
    print(text(report))
    print(f"\nChaos table written to {write_json(report, settings.work_dir)}\n")
    print(_text(verdict, sampler.minutes, sampler.final))
    print(f"\nSummary, minutes and chart in {folder}")
    return 0 if report.ok and verdict.ok else 1


def _judge_again(folder: Path) -> int:
    """The soak rules over a finished soak's minutes (the checker's verdict stands as that run printed it)."""
    try:
        minutes = [from_dict(m) for m in json.loads((folder / "minutes.json").read_text())]
    except (OSError, ValueError) as error:
        print(f"no soak minutes in {folder}: {error}", file=sys.stderr)
        return 2
    final = _final(folder, minutes)
    verdict = judge(minutes, final)
    print(_text(verdict, minutes, final))
    return 0 if verdict.ok else 1


def _final(folder: Path, minutes: list[Minute]) -> Minute | None:
    """The minute taken after the drain; a soak written before final.json existed has its tables in summary.json."""
    if (folder / "final.json").exists():
        return from_dict(json.loads((folder / "final.json").read_text()))
    if not (folder / "summary.json").exists() or not minutes:
        return None
    ended = json.loads((folder / "summary.json").read_text())["tables_end"]
    final = Minute(minutes[-1].at_minutes, tables={name: TableFigures(**t) for name, t in ended.items()})
    final.outbox = {name.split(".")[0]: t.rows for name, t in final.tables.items() if name.endswith(".outbox")}
    return final


def _summary(chaos_ok: bool, verdict: SoakVerdict, minutes: list[Minute], final: Minute | None, args) -> dict:
    first = next((m for m in minutes if m.tables), None)
    last = final if final is not None and final.tables else next((m for m in reversed(minutes) if m.tables), None)
    return {
        "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "minutes": args.minutes,
        "rate": args.rate,
        "fault_every_minutes": args.fault_every,
        "checker_ok": chaos_ok,
        "soak_ok": verdict.ok,
        "findings": [asdict(f) for f in verdict.findings],
        "memory_slope_mb_per_hour": verdict.slopes_mb_per_hour,
        "tables_first_minute": {t: asdict(f) for t, f in first.tables.items()} if first else {},
        "tables_end": {t: asdict(f) for t, f in last.tables.items()} if last else {},
        "p99_publish_to_80_s_per_minute": [m.p99_to_80_s for m in minutes],
    }


def _text(verdict: SoakVerdict, minutes: list[Minute], final: Minute | None) -> str:
    lines = [f"Soak: {len(minutes)} minutes sampled; rules (accordeer/soak/judge.py):"]
    lines += [f"  {'ok  ' if f.ok else 'FAIL'} {f.rule:<15} {f.subject:<32} {f.figure}" for f in verdict.findings]
    lines.append("Memory slope per process over the judged window, MB/hour:")
    lines += [f"  {name:<24} {slope:+.1f}" for name, slope in sorted(verdict.slopes_mb_per_hour.items())]
    first = next((m for m in minutes if m.tables), None)
    last = final if final is not None and final.tables else None
    if first and last:
        lines.append("Tables, first minute → after the drain (rows, MB):")
        for table in sorted(last.tables):
            before = first.tables.get(table)
            after = last.tables[table]
            was = f"{before.rows:>8} {before.megabytes:>8.2f}" if before else f"{'-':>8} {'-':>8}"
            lines.append(f"  {table:<40} {was} → {after.rows:>8} {after.megabytes:>8.2f}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
