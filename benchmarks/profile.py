"""Where each service spends its CPU under load: py-spy samples every service while the whole stack takes a
steady offered load, and the functions with the most samples are printed per service.

    make profile                  (python -m benchmarks.profile; ARGS="--rate 100 --seconds 30")

One process per service as `make run` has them, the mocked gateway at zero latency, the automatic reviewer
approving at once, as in ``make bench``. py-spy (the bench extra) runs beside each process at 100 samples a
second, counting only samples that hold the GIL (running Python), so a service's samples are about its CPU time in
hundredths of a second; on two cores that takes some CPU from the pipeline, so read the shares within a service,
not the throughput. Writes each service's folded stacks (``<service>.txt``, for a flame graph) and ``top.txt`` under
.cache/profile/<timestamp>/. Takes about a minute beyond ``--seconds``.
"""

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

from accordeer.connect import CACHE_DIR
from benchmarks.stack import WHOLE_STACK, infrastructure_roots
from benchmarks.whole import pipeline
from benchmarks.workload import declarations, offer
from tests.support.infrastructure import session_infrastructure

SERVICES = WHOLE_STACK
TOP = 15


def folded_shares(folded: str) -> tuple[Counter[str], Counter[str], int]:
    """From py-spy's raw (folded) output: samples per function as the innermost frame (self), per function
    anywhere on the stack (total), and all samples. A frame "name (path/file.py:line)" counts as "name (file.py)"."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in folded.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_function(frame) for frame in stack.split(";") if frame]
        samples += int(count)
        if frames:
            own[frames[-1]] += int(count)
        for frame in set(frames):
            total[frame] += int(count)
    return own, total, samples


def _function(frame: str) -> str:
    name, _, where = frame.partition(" (")
    file = where.rsplit(":", 1)[0].rsplit("/", 1)[-1]
    return f"{name} ({file})" if file else name


def report(service: str, folded: str) -> str:
    own, total, samples = folded_shares(folded)
    if not samples:
        return f"{service}: no samples\n"
    lines = [f"{service}: {samples} samples", f"  {'self':>6} {'total':>6}  function"]
    for function, count in own.most_common(TOP):
        lines.append(f"  {count / samples:6.1%} {total[function] / samples:6.1%}  {function}")
    return "\n".join(lines) + "\n"


async def main(args) -> int:
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not await asyncio.to_thread(Path(py_spy).exists):
        sys.exit("py-spy is not installed: make profile installs it (pip install -e '.[bench]')")
    out = CACHE_DIR / "profile" / time.strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        infra = stack.enter_context(session_infrastructure(Path(tmp)))
        async with pipeline(infra, await infrastructure_roots(infra), "profile", out / "logs") as system:
            pids = {name: system.running.processes[f"{name}-a"].pid for name in SERVICES}
            spies = [
                await asyncio.create_subprocess_exec(
                    py_spy,
                    "record",
                    "--format",
                    "raw",
                    "--rate",
                    "100",
                    "--duration",
                    str(int(args.seconds)),
                    "--nonblocking",
                    # Only samples of a thread holding the GIL, i.e. running Python: without it py-spy also counts a
                    # thread that waits in a socket write or epoll while another process runs (a woken receiver
                    # preempts its sender), which put half of every service's samples in "network" at light load
                    # while /proc said more than nine tenths of their CPU was user time.
                    "--gil",
                    "--pid",
                    str(pid),
                    "--output",
                    str(out / f"{name}.txt"),
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.PIPE,
                )
                for name, pid in pids.items()
            ]
            records = declarations("profile", round(args.rate * args.seconds))
            published = await offer(system.producer, system.settings.topics.inbound, records, args.rate)
            for spy in spies:
                _, errors = await spy.communicate()
                if spy.returncode:
                    sys.exit(f"py-spy failed: {errors.decode().strip()[-300:]}")
            reached = system.count(80, published)
    text = f"{args.rate:g} declarations/s offered for {args.seconds:g} s; {reached} reached 80 while sampling\n\n"
    text += "\n".join(report(name, (out / f"{name}.txt").read_text()) for name in SERVICES)
    (out / "top.txt").write_text(text)
    print(text + f"\nwritten: {out}/top.txt and each service's folded stacks")
    return 0


def options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.profile", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=100.0, help="declarations offered per second (default 100)")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to offer and sample (default 30)")
    args = parser.parse_args(argv)
    if args.rate <= 0 or args.seconds < 1:
        parser.error("--rate must be above 0 and --seconds at least 1")
    return args


if __name__ == "__main__":
    sys.exit(asyncio.run(main(options())))
