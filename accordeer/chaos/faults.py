"""The faults of a chaos run: what each does to the stack, and the schedule that spreads them over the run.

Times in a schedule are fractions of the publishing window, so a small run and a full one meet the same
faults in the same order. Every fault records when it started and ended, relative to the run's start.
"""

import asyncio
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial

import httpx

from accordeer.chaos.observe import GatewayCounts
from accordeer.chaos.proxy import ProxyKnobs
from accordeer.chaos.stack import PROXIED_BROKER, ChaosStack


@dataclass
class FaultRecord:
    name: str
    started: float
    ended: float | None = None
    note: str = ""


@dataclass
class Faults:
    """The fault actions; each is a coroutine that returns once the fault is over (or handed back)."""

    stack: ChaosStack
    gateway_counts: GatewayCounts
    sampling_paused: asyncio.Event
    t0: float = field(default_factory=time.monotonic)
    window: float = 0.0
    """The publishing window in seconds; some faults last a share of it."""
    log: list[FaultRecord] = field(default_factory=list)

    async def run(self, name: str, action: Callable[[], Awaitable[str | None]]) -> None:
        record = FaultRecord(name, self._now())
        self.log.append(record)
        try:
            record.note = await action() or ""
        except Exception as exc:  # a fault that fails is reported, the run goes on
            record.note = f"FAILED: {type(exc).__name__}: {exc}"
        record.ended = self._now()

    def _now(self) -> float:
        return round(time.monotonic() - self.t0, 1)

    # -- services ----------------------------------------------------------------------------------------------

    async def kill_service(self, service: str, instance: str, pause: float = 3.0) -> str:
        process = self.stack.process(service, instance)
        pid = process.pid
        process.kill()
        await asyncio.sleep(pause)
        self.stack.start_service(service, instance)
        return f"pid {pid} SIGKILLed, started again after {pause:.0f}s"

    async def freeze_relay_leader(self, service: str, seconds: float = 15.0) -> str:
        process, known = await self.stack.relay_leader(service)
        process._signal(signal.SIGSTOP)
        try:
            await asyncio.sleep(seconds)
        finally:
            process._signal(signal.SIGCONT)  # ignores a process killed meanwhile
        who = "the lease holder" if known else "no lease holder found, the first process"
        return f"{process.name} (pid {process.pid}, {who}) SIGSTOPped for {seconds:.0f}s"

    async def rebalance(self, service: str, seconds: float) -> str:
        """A third process joins the group for a while, then leaves cleanly."""
        process = self.stack.start_service(service, "c")
        await asyncio.sleep(seconds)
        await asyncio.to_thread(process.stop)
        return f"{service}-c joined for {seconds:.0f}s"

    # -- brokers -----------------------------------------------------------------------------------------------

    async def kill_broker(self, broker: int, pause: float = 5.0) -> str:
        await asyncio.to_thread(self.stack.started_cluster.kill_broker, broker)
        await asyncio.sleep(pause)
        started = time.monotonic()
        await asyncio.to_thread(self.stack.started_cluster.start_broker, broker)
        return f"broker {broker} SIGKILLed; back {pause + time.monotonic() - started:.0f}s later"

    async def restart_broker(self, broker: int) -> str:
        started = time.monotonic()
        await asyncio.to_thread(self.stack.started_cluster.stop_broker, broker)
        await asyncio.to_thread(self.stack.started_cluster.start_broker, broker)
        return f"broker {broker} stopped cleanly and started; {time.monotonic() - started:.0f}s"

    async def lose_broker_disk(self, broker: int, pause: float = 5.0) -> str:
        """The broker's disk dies and is replaced empty: it rejoins as a new voter and copies its partitions back.
        One disk at a time: first every replica in sync, as an operator would check before replacing a disk."""
        waited = await self.stack.until_in_sync()
        cluster = self.stack.started_cluster
        await asyncio.to_thread(cluster.lose_disk, broker)
        await asyncio.sleep(pause)
        started = time.monotonic()
        new_directory = await asyncio.to_thread(cluster.rejoin_empty, broker)
        rejoined = time.monotonic() - started
        in_sync = await self.stack.until_in_sync()
        voters = await asyncio.to_thread(cluster.voters)
        if voters.get(broker + 1) != new_directory or len(voters) != cluster.brokers:
            raise RuntimeError(f"the quorum's voters are {voters}; node {broker + 1} should vote as {new_directory}")
        return (
            f"broker {broker} SIGKILLed and its data deleted ({waited:.0f}s waited for all in sync first); "
            f"empty, a voter again (directory {new_directory}) {pause + rejoined:.0f}s later, every replica back "
            f"in sync {in_sync:.0f}s after that"
        )

    async def broker_link(self, seconds: float, knobs: ProxyKnobs) -> str:
        proxy = self.stack.started_proxy
        proxy.knobs = knobs
        dropped = proxy.dropped
        if knobs.drop_rate:
            proxy.cut_all()
        try:
            await asyncio.sleep(seconds)
        finally:
            if proxy.knobs is knobs:  # unless a later fault has set its own meanwhile
                proxy.knobs = ProxyKnobs()
        return (
            f"to broker {PROXIED_BROKER}: latency {knobs.latency_ms:.0f}+{knobs.jitter_ms:.0f} ms, drop rate "
            f"{knobs.drop_rate}, {proxy.dropped - dropped} connections dropped"
        )

    # -- PostgreSQL and the gateway ------------------------------------------------------------------------------

    async def restart_postgres(self, pause: float = 3.0) -> str:
        await self.stack.restart_postgres(pause)
        return f"stopped, started again after {pause:.0f}s"

    async def gateway_faults(self, seconds: float, **faults) -> str:
        await self.stack.gateway("PUT", "/_admin/faults", json=faults)
        await asyncio.sleep(seconds)
        told = ", ".join(f"{k}={v}" for k, v in faults.items()) + f" for {seconds:.0f}s"
        try:
            await self.stack.gateway("PUT", "/_admin/faults", json={})
        except httpx.HTTPError:
            return told + " (the gateway was restarting meanwhile, which clears its faults)"
        return told

    async def restart_gateway(self) -> str:
        self.sampling_paused.set()
        try:
            self.gateway_counts.take(await self.stack.gateway("GET", "/_admin/received"))
            await self.stack.restart_gateway()
            self.gateway_counts.restarted()
        finally:
            self.sampling_paused.clear()
        return "SIGKILLed and started again: every delivery forgotten"


Schedule = list[tuple[float, str, Callable[[Faults], Awaitable[str | None]]]]

FULL: Schedule = [
    (0.04, "broker link slow", lambda f: f.broker_link(30, ProxyKnobs(latency_ms=100, jitter_ms=150))),
    (0.06, "SIGKILL intake-a", lambda f: f.kill_service("intake", "a")),
    (0.10, "SIGKILL workflow-b", lambda f: f.kill_service("workflow", "b")),
    (0.13, "SIGSTOP relay leader of dispatch", lambda f: f.freeze_relay_leader("dispatch")),
    (0.17, "broker SIGKILL + restart", lambda f: f.kill_broker(1)),
    (0.22, "SIGKILL dispatch-a", lambda f: f.kill_service("dispatch", "a")),
    (0.26, "gateway latency", lambda f: f.gateway_faults(20, latency_ms=1500, latency_jitter_ms=1000)),
    (0.30, "rebalance workflow +1", lambda f: f.rebalance("workflow", 0.1 * f.window)),
    (0.33, "broker disk lost, rejoins empty", lambda f: f.lose_broker_disk(0)),
    (0.36, "gateway outage", lambda f: f.gateway_faults(20, outage=True)),
    (0.42, "PostgreSQL restart", lambda f: f.restart_postgres()),
    (0.48, "SIGSTOP relay leader of workflow", lambda f: f.freeze_relay_leader("workflow")),
    (0.52, "broker link lossy", lambda f: f.broker_link(20, ProxyKnobs(latency_ms=20, drop_rate=0.02))),
    (0.56, "broker clean restart", lambda f: f.restart_broker(0)),
    (0.62, "SIGKILL intake-b", lambda f: f.kill_service("intake", "b")),
    (0.64, "SIGKILL workflow-a", lambda f: f.kill_service("workflow", "a")),
    (0.68, "gateway restart (memory lost)", lambda f: f.restart_gateway()),
    (0.72, "rebalance dispatch +1", lambda f: f.rebalance("dispatch", 0.1 * f.window)),
    (0.76, "SIGKILL dispatch-b", lambda f: f.kill_service("dispatch", "b")),
    (0.80, "SIGSTOP relay leader of intake", lambda f: f.freeze_relay_leader("intake")),
    (0.86, "SIGKILL intake-a again", lambda f: f.kill_service("intake", "a")),
    (0.88, "SIGKILL workflow-b again", lambda f: f.kill_service("workflow", "b")),
    (0.90, "SIGKILL dispatch-a again", lambda f: f.kill_service("dispatch", "a")),
]
"""Every fault the issue asks for, each service process killed at least once (three of them twice)."""

SMALL: Schedule = [
    (0.05, "SIGKILL intake-a", lambda f: f.kill_service("intake", "a", pause=2)),
    (0.15, "broker SIGKILL + restart", lambda f: f.kill_broker(1, pause=3)),
    (0.30, "SIGSTOP relay leader of dispatch", lambda f: f.freeze_relay_leader("dispatch", 15)),
    (0.55, "gateway restart (memory lost)", lambda f: f.restart_gateway()),
    (0.70, "SIGKILL workflow-b", lambda f: f.kill_service("workflow", "b", pause=2)),
    (0.90, "broker disk lost, rejoins empty", lambda f: f.lose_broker_disk(0, pause=2)),
]
"""The run inside `make test`: one of each kind that matters most, within about a minute."""


async def play(faults: Faults, schedule: Schedule, window: float) -> None:
    """Start each fault at its share of ``window`` seconds after the run's start; wait until all have ended."""
    faults.window = window
    running = []
    for share, name, action in schedule:
        delay = share * window - (time.monotonic() - faults.t0)
        if delay > 0:
            await asyncio.sleep(delay)
        running.append(asyncio.create_task(faults.run(name, partial(action, faults))))
    await asyncio.gather(*running)
