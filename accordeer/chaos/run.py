"""One chaos run: start the stack, publish the declarations at a steady rate while the reviewer acts and the
faults play, drain, and judge what the public topics and the gateway's counts say."""

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from tenacity import AsyncRetrying, stop_after_delay, wait_exponential

from accordeer.chaos import checker, workload
from accordeer.chaos.faults import FULL, SMALL, Faults, Schedule, play
from accordeer.chaos.observe import GatewayCounts, Timeline, TopicObserver, kenmerken_per_item, sample_gateway
from accordeer.chaos.restore import RESTORE
from accordeer.chaos.reviewer import Reviewer
from accordeer.chaos.stack import ChaosStack
from accordeer.chaos.upgrade import UPGRADE, build_next
from accordeer.connect import CACHE_DIR
from shared.contracts.tasks import TaskEvent
from shared.kafka.producer import create_producer

log = logging.getLogger(__name__)


class ChaosSettings(BaseSettings):
    """A chaos run's size and pace (environment ACCORDEER_CHAOS_*, or the command's options)."""

    model_config = SettingsConfigDict(env_prefix="ACCORDEER_CHAOS_", extra="ignore")

    declarations: int = Field(5000, ge=1, description="How many declarations are submitted.")
    seed: int = Field(1, description="Seed of the declarations and decisions.")
    rate: float = Field(20.0, gt=0, description="Declarations submitted per second.")
    drain_timeout: float = Field(
        600.0, gt=0, description="Seconds to wait after the last fault for every message to reach a final status."
    )
    small: bool = Field(False, description="The small schedule of `make test` (fewer faults).")
    upgrade: bool = Field(
        False, description="A rolling upgrade to the next version instead (accordeer/chaos/upgrade.py)."
    )
    restore: bool = Field(
        False,
        description="The restore drill instead: a backup of the whole database restored mid-run "
        "(accordeer/chaos/restore.py).",
    )
    work_dir: Path = Field(CACHE_DIR / "chaos", description="Where the run keeps its cluster, logs and report.")


@dataclass
class RunReport:
    settings: dict
    run_id: str
    verdict: checker.Verdict
    expectations: dict[str, checker.Expectation]
    submissions: dict[str, int]
    faults: list
    gateway: dict
    timings: dict[str, float]
    dead_letters_found: int = 0
    refusals_found: int = 0
    dead_letters_elsewhere: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    log_dir: str = ""
    streams: dict[str, list[checker.Event]] = field(default_factory=dict)
    """The status events, as read, of every message with a finding: the evidence."""

    @property
    def ok(self) -> bool:
        """Nothing lost, doubled, out of order or unreadable, everything settled, and every fault really done (a
        run whose fault could not be caused proves nothing about it)."""
        faults_done = not any(fault.note.startswith("FAILED") for fault in self.faults)
        settled = bool(self.timings.get("drained"))
        return self.verdict.ok and not self.dead_letters_elsewhere and not self.unreadable and faults_done and settled


Companion = Callable[[ChaosStack, Timeline], Coroutine[Any, Any, None]]
"""Runs beside the publishing and the drain, and is cancelled after them: the soak's sampler."""


async def run(
    settings: ChaosSettings, *, schedule: Schedule | None = None, companion: Companion | None = None
) -> RunReport:
    """One run; ``schedule`` instead of the small or full one, ``companion`` beside it."""
    run_id = time.strftime("%Y%m%d-%H%M%S")
    work_dir = settings.work_dir / run_id
    submissions, expectations = workload.build(settings.declarations, seed=settings.seed, run_id=run_id)
    timings: dict[str, float] = {}
    started = time.monotonic()
    stack = ChaosStack(work_dir, next_version=build_next(work_dir / "next") if settings.upgrade else None)
    try:
        await stack.start()
        timings["start_stack_s"] = round(time.monotonic() - started, 1)
        if schedule is None:
            schedule = (
                UPGRADE if settings.upgrade else RESTORE if settings.restore else SMALL if settings.small else FULL
            )
        return await _exercise(
            stack, settings, schedule, companion, run_id, submissions, expectations, timings, work_dir
        )
    finally:
        await stack.stop()


async def _exercise(
    stack: ChaosStack,
    settings: ChaosSettings,
    schedule: Schedule,
    companion: Companion | None,
    run_id: str,
    submissions,
    expectations,
    timings: dict,
    work_dir: Path,
) -> RunReport:
    system = stack.started_settings
    topics = system.topics
    producer = create_producer(system.kafka_bootstrap_servers, client_id="accordeer-chaos")
    await producer.start()
    reviewer = Reviewer()
    acting: set[asyncio.Task] = set()

    async def act(event: TaskEvent) -> None:
        # Sent beside the observer, not awaited in its loop: waiting for each action's acknowledgement there made
        # the observer (and so the reviewer) fall behind at 50 declarations a second, which read as latency.
        if (action := reviewer.decide(event)) is not None:
            value = action.model_dump_json().encode()
            sending = asyncio.create_task(_send(producer, topics.portal_actions, action.dossier_item_id, value))
            acting.add(sending)
            sending.add_done_callback(acting.discard)

    timeline = Timeline()
    observer = TopicObserver(system.kafka_bootstrap_servers, topics, act, timeline)
    counts, paused = GatewayCounts(), asyncio.Event()
    background = [
        asyncio.create_task(observer.run()),
        asyncio.create_task(sample_gateway(stack.started_services.gateway_url, counts, paused)),
    ]
    faults = Faults(stack, counts, paused)
    window = len(submissions) / settings.rate
    try:
        await _until_observing(observer, background[0])
        if companion is not None:
            background.append(asyncio.create_task(companion(stack, timeline)))
        t0 = faults.t0 = time.monotonic()
        await asyncio.gather(
            _publish(producer, topics.inbound, submissions, settings.rate, timeline.published),
            play(faults, schedule, window),
        )
        timings["publish_and_faults_s"] = round(time.monotonic() - t0, 1)
        drain_started = time.monotonic()
        drained = await _drain(observer, expectations, settings.drain_timeout)
        timings["drain_s"] = round(time.monotonic() - drain_started, 1)
        timings["drained"] = drained
        if background[0].done():  # the observer stopped: what it missed would read as lost
            background[0].result()
        if len(background) > 2 and background[2].done() and (error := background[2].exception()):
            # The companion only watches: its failure is said, and the checker's verdict still stands.
            log.error("the run's companion stopped early: %r", error)
        await asyncio.sleep(5)  # anything told twice late is still seen
        paused.set()
        counts.take(await stack.gateway("GET", "/_admin/received"))
    finally:
        for task in [*background, *acting]:
            task.cancel()
        await asyncio.gather(*background, *acting, return_exceptions=True)
        await producer.stop()
    records = observer.records
    verdict = checker.check(
        expectations, records.status, refused_elsewhere=records.refused, dead_letters=records.dead_letters()
    )
    per_kenmerk = counts.per_aanleverkenmerk()
    items = {e.dossier_item_id: e.message_id for events in records.status.values() for e in events if e.dossier_item_id}
    per_item, strangers = kenmerken_per_item(per_kenmerk, set(items))
    checker.check_deliveries(per_kenmerk, per_item, items, verdict)
    for kenmerk in strangers:
        verdict.add("invalid", "-", f"the gateway registered aanleverkenmerk {kenmerk}, which names no dossier item")
    kinds: dict[str, int] = {}
    for submission in submissions:
        kinds[submission.kind] = kinds.get(submission.kind, 0) + 1
    return RunReport(
        settings=settings.model_dump(mode="json"),
        run_id=run_id,
        verdict=verdict,
        expectations=expectations,
        submissions=kinds,
        faults=faults.log,
        timings=timings,
        gateway={
            "aanleverkenmerken": len(per_kenmerk),
            "attempts": counts.total_attempts,
            "lifetimes": len(counts.lifetimes),
            "items_delivered": len(per_item),
        },
        dead_letters_found=sum(records.dead_letters().values()),
        refusals_found=sum(records.refused.values()),
        dead_letters_elsewhere=records.other_dead_letters,
        unreadable=records.unreadable,
        log_dir=str(work_dir / "logs"),
        streams={m: records.status.get(m, []) for m in {f.message_id for f in verdict.findings}},
    )


async def _until_observing(observer: TopicObserver, observing: asyncio.Task) -> None:
    """Publishing starts once the observer reads every topic; an observer that could not start fails the run
    with its own error (not as every message lost)."""
    ready = asyncio.create_task(observer.ready.wait())
    await asyncio.wait({ready, observing}, timeout=180, return_when=asyncio.FIRST_COMPLETED)
    ready.cancel()
    if observing.done():
        observing.result()
    if not observer.ready.is_set():
        raise TimeoutError("the chaos observer could not read the topics within 180 s")


async def _send(producer, topic: str, key: str, value: bytes) -> None:
    """Until the cluster takes it: a broker fault may fail a send for a while (the same record again is a
    no-op for intake and for workflow's action ids)."""
    async for attempt in AsyncRetrying(stop=stop_after_delay(300), wait=wait_exponential(0.2, max=5), reraise=True):
        with attempt:
            await (await producer.send(topic, value=value, key=key.encode()))


async def _publish(
    producer, topic: str, submissions: list[workload.Submission], rate: float, published: dict[str, float]
) -> None:
    started = time.monotonic()
    pending: set[asyncio.Task] = set()
    for n, submission in enumerate(submissions):
        if (wait := started + n / rate - time.monotonic()) > 0:
            await asyncio.sleep(wait)
        published.setdefault(submission.message_id, time.monotonic())
        task = asyncio.create_task(_send(producer, topic, submission.message_id, submission.value))
        pending.add(task)
        task.add_done_callback(pending.discard)
    await asyncio.gather(*pending)


async def _drain(observer: TopicObserver, expectations, timeout: float) -> bool:
    """Until every message is where it must end (nothing lost or short of final), or ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        records = observer.records
        verdict = checker.check(
            expectations, records.status, refused_elsewhere=records.refused, dead_letters=records.dead_letters()
        )
        if not verdict.count("not_final") and not verdict.count("lost"):
            return True
        await asyncio.sleep(2)
    return False
