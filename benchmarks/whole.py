"""The whole pipeline, measured from outside: declarations published to declarations.inbound, the automatic
reviewer approving every client task at once, the mocked gateway at zero latency, until status 80.

Two kinds of phase, each on its own fresh system: throughput (N declarations at once; first publish to the last
80) and latency at a fixed offered load (publish → 60 and → 80, the reviewer's own time taken out). Both read
each process's CPU before and after.
"""

import asyncio
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from accordeer.localstack.stack import ServiceProcesses
from benchmarks import cpu, fanout
from benchmarks.observe import ACCEPTED, AFTER_APPROVAL, TIMED, TimedObserver, TimedReviewer
from benchmarks.stack import WHOLE_STACK, check_running, phase_system, service_roots
from benchmarks.stats import Percentile, percentiles
from benchmarks.workload import declarations, offer
from shared.kafka.producer import create_producer
from shared.settings import Settings
from tests.support.infrastructure import Infrastructure

WARM_UP_TIMEOUT = 120.0
SETTLE_SECONDS = 10.0
"""After the warm-up declaration, before anything is measured: the processes' start-up work (the directory copy,
first rebalances, lag samples, the JIT of the broker) is not what a declaration costs."""
OWN_ONLY = frozenset({"bench itself"})


@dataclass
class Phase:
    declarations: int
    seconds: float = 0.0
    """Throughput phase: first publish to the last 80. Load phase: the offering window."""
    cpu_ms: dict[str, float] = field(default_factory=dict)
    """Milliseconds of CPU per declaration, per process group."""
    latency: dict[int, dict[int, Percentile] | None] = field(default_factory=dict)
    """Status code (30, 60, 80) → percentile → seconds."""
    reached: dict[int, int] = field(default_factory=dict)
    reviewer_failures: int = 0
    work: list[fanout.TopicWork] = field(default_factory=list)
    """Throughput phase: the records each topic received, their mean size and the groups that read them."""

    @property
    def throughput(self) -> float:
        return self.declarations / self.seconds


@dataclass
class Pipeline:
    settings: Settings
    running: ServiceProcesses
    producer: object
    observer: TimedObserver
    reviewer: TimedReviewer
    roots: dict[str, list[int]]

    def count(self, code: int, message_ids) -> int:
        first = self.observer.first[code]
        return sum(1 for m in message_ids if m in first)

    async def until_accepted(self, message_ids: list[str], deadline: float) -> bool:
        while time.monotonic() < deadline:
            if self.count(ACCEPTED, message_ids) == len(message_ids):
                return True
            check_running(self.running)
            await asyncio.sleep(0.1)
        return False


@asynccontextmanager
async def pipeline(
    infra: Infrastructure,
    infra_roots: dict[str, list[int]],
    tag: str,
    log_dir: Path,
    processes: int = 1,
    settle: float = SETTLE_SECONDS,
) -> AsyncIterator[Pipeline]:
    """The whole stack running, warmed up (one declaration through to 80) and settled, with the observer and the
    reviewer."""
    async with phase_system(infra, tag, log_dir, services=WHOLE_STACK, processes=processes) as (settings, running):
        producer = create_producer(settings.kafka_bootstrap_servers, client_id="bench-load")
        await producer.start()
        reviewer = TimedReviewer(producer, settings.topics.portal_actions)
        observer = TimedObserver(settings.kafka_bootstrap_servers, settings.topics, reviewer.on_task)
        following = asyncio.create_task(observer.run())
        try:
            system = Pipeline(
                settings, running, producer, observer, reviewer, {**service_roots(running), **infra_roots}
            )
            warm_up = declarations(f"{tag}-warm", 1)
            await offer(producer, settings.topics.inbound, warm_up)
            if not await system.until_accepted([warm_up[0][0]], time.monotonic() + WARM_UP_TIMEOUT):
                raise RuntimeError(
                    f"the warm-up declaration did not reach 80 in {WARM_UP_TIMEOUT:.0f} s; logs in {log_dir / tag}"
                )
            await asyncio.sleep(settle)
            check_running(running)
            yield system
        finally:
            following.cancel()
            await asyncio.gather(following, return_exceptions=True)
            await producer.stop()


async def throughput(
    infra, infra_roots, tag: str, log_dir: Path, count: int, processes: int, timeout: float
) -> tuple[Phase, dict[str, list[bytes]]]:
    """The phase, and some of each topic's records (for the raw fan-out to replay)."""
    async with pipeline(infra, infra_roots, tag, log_dir, processes) as system:
        records = declarations(tag, count)
        ends = await fanout.ends(system.settings)
        before = cpu.sample(system.roots, OWN_ONLY)
        published = await offer(system.producer, system.settings.topics.inbound, records)
        if not await system.until_accepted(list(published), time.monotonic() + timeout):
            raise RuntimeError(
                f"{tag}: only {system.count(ACCEPTED, published)} of {count} declarations reached "
                f"80 within {timeout:.0f} s; logs in {log_dir / tag}"
            )
        after = cpu.sample(system.roots, OWN_ONLY)
        last = max(system.observer.first[ACCEPTED][m] for m in published)
        work, values = await fanout.work_between(system.settings, ends, await fanout.ends(system.settings))
        phase = Phase(
            declarations=count,
            seconds=last - min(published.values()),
            cpu_ms=cpu.per_declaration_ms(before, after, count),
            reached=dict.fromkeys(TIMED, count),
            reviewer_failures=system.reviewer.failed,
            work=work,
        )
        return phase, values


async def raw_fan_out(
    infra, infra_roots, tag: str, log_dir: Path, phase: Phase, values: dict[str, list[bytes]]
) -> fanout.FanOut:
    """The throughput phase's Kafka work, replayed raw on a system without services."""
    async with phase_system(infra, tag, log_dir, services=(), gateway=False) as (settings, _):
        before = cpu.sample(infra_roots, OWN_ONLY)
        seconds = await fanout.replay(settings, phase.work, values)
        after = cpu.sample(infra_roots, OWN_ONLY)
    return fanout.FanOut(phase.declarations, seconds, cpu.per_declaration_ms(before, after, phase.declarations))


async def idle(infra, infra_roots, tag: str, log_dir: Path, seconds: float, settle: float) -> dict[str, float]:
    """Per cent of one core each process group takes while nothing arrives, after the warm-up and ``settle``."""
    async with pipeline(infra, infra_roots, tag, log_dir, settle=settle) as system:
        before = cpu.sample(system.roots, OWN_ONLY)
        await asyncio.sleep(seconds)
        after = cpu.sample(system.roots, OWN_ONLY)
        check_running(system.running)
    return {name: 100 * (after[name] - before.get(name, 0)) / cpu.TICKS / seconds for name in after}


async def load(infra, infra_roots, tag: str, log_dir: Path, rate: float, seconds: float, drain: float) -> Phase:
    """Offer ``rate`` declarations/s for ``seconds``, then wait up to ``drain`` seconds for the last of them."""
    async with pipeline(infra, infra_roots, tag, log_dir) as system:
        records = declarations(tag, max(2, round(rate * seconds)))
        before = cpu.sample(system.roots, OWN_ONLY)
        published = await offer(system.producer, system.settings.topics.inbound, records, rate)
        await system.until_accepted(list(published), time.monotonic() + drain)
        stopped = time.time()
        after = cpu.sample(system.roots, OWN_ONLY)
        accepted = system.count(ACCEPTED, published)
        phase = Phase(
            declarations=len(records),
            seconds=seconds,
            # Per declaration that reached 80: work offered but not done is not a saving.
            cpu_ms=cpu.per_declaration_ms(before, after, accepted) if accepted else dict.fromkeys(after, math.inf),
            reviewer_failures=system.reviewer.failed,
        )
        for code in TIMED:
            reviewer = system.reviewer.seconds if code in AFTER_APPROVAL else {}
            phase.latency[code] = _latencies(published, system.observer.first[code], reviewer, stopped)
            phase.reached[code] = system.count(code, published)
        return phase


def _latencies(
    published: dict[str, float], reached_at: dict[str, float], reviewer: dict[str, float], stopped: float
) -> dict[int, Percentile] | None:
    reached, unreached = [], []
    for message_id, sent in published.items():
        if message_id in reached_at:
            reached.append(reached_at[message_id] - sent - reviewer.get(message_id, 0.0))
        else:
            unreached.append(stopped - sent - reviewer.get(message_id, 0.0))
    return percentiles(reached, unreached)
