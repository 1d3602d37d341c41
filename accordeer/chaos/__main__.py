"""`python -m accordeer.chaos` (`make chaos`): one chaos run; prints its table, writes it as JSON under the work
folder, and exits 1 when anything was lost, doubled, out of order or stuck."""

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from accordeer.chaos.report import text, write_json
from accordeer.chaos.run import ChaosSettings, run


def main(argv: list[str] | None = None) -> int:
    defaults = ChaosSettings()
    parser = argparse.ArgumentParser(prog="python -m accordeer.chaos", description=__doc__)
    parser.add_argument(
        "--declarations", type=int, default=defaults.declarations, help="how many (default %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=defaults.seed, help="seed of declarations and decisions")
    parser.add_argument("--rate", type=float, default=defaults.rate, help="declarations per second")
    parser.add_argument("--drain-timeout", type=float, default=defaults.drain_timeout, help="seconds")
    parser.add_argument("--small", action="store_true", help="the small fault schedule of `make test`")
    parser.add_argument(
        "--upgrade", action="store_true", help="a rolling upgrade to the next version (accordeer/chaos/upgrade.py)"
    )
    parser.add_argument(
        "--restore",
        action="store_true",
        help="a backup of the whole database, restored while the run goes on (accordeer/chaos/restore.py)",
    )
    parser.add_argument(
        "--work-dir", type=Path, default=defaults.work_dir, help="cluster, logs and report (default %(default)s)"
    )
    args = parser.parse_args(argv)
    settings = ChaosSettings(
        declarations=args.declarations,
        seed=args.seed,
        rate=args.rate,
        drain_timeout=args.drain_timeout,
        small=args.small,
        upgrade=args.upgrade,
        restore=args.restore,
        work_dir=args.work_dir,
    )
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # The faults make the run's own Kafka clients complain by design; the table says what matters.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    try:
        report = asyncio.run(run(settings))
    except KeyboardInterrupt:
        print("chaos run interrupted; the stack was stopped", file=sys.stderr)
        return 2
    print(text(report))
    print(f"\nTable written to {write_json(report, settings.work_dir)}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
