"""Consumer lag of the running system: it grows while intake is stopped and drains when intake resumes."""

import asyncio
import time

import pytest

from shared.lag import KafkaLagSource, LagMonitor, LagReport, Status, product_groups, render_table
from tests.support.declarations import example

pytestmark = pytest.mark.e2e

DECLARATIONS = 300
WARM_UP = 6
KILLED = 40


async def _until(monitor: LagMonitor, predicate, *, what: str, timeout: float = 90) -> LagReport:
    deadline = time.monotonic() + timeout
    report = None
    while time.monotonic() < deadline:
        report = await monitor.sample()
        if predicate(report):
            return report
        await asyncio.sleep(0.5)
    last = render_table(report) if report is not None else "none: no sample was taken"
    raise AssertionError(f"timed out waiting for {what}; last report:\n{last}")


async def test_intake_lag_goes_from_zero_to_what_was_published_while_stopped_and_back(system):
    bootstrap, intake_group = system.settings.kafka_bootstrap_servers, system.topics.group("intake")
    system.start("intake")
    async with KafkaLagSource(bootstrap) as source:
        monitor = LagMonitor(source, product_groups(system.topics), window=3)

        await system.submit(*[example("loonheffing", message_id=f"warm-up-{n}") for n in range(WARM_UP)])
        running = await _until(
            monitor,
            lambda r: _committed(r.group(intake_group)) == WARM_UP,
            what="intake to consume the warm-up declarations",
        )
        intake = running.group(intake_group)
        assert (intake.lag, intake.status, intake.time_lag) == (0, Status.OK, 0.0)
        assert {p.latest.owner.split("@")[0] for p in intake.partitions} == {"accordeer-intake"}

        system.services.processes["intake"].stop()
        await system.submit(*[example("loonheffing", message_id=f"lag-{n:04d}") for n in range(DECLARATIONS)])
        stopped = await _until(
            monitor, lambda r: r.group(intake_group).status in (Status.STOP, Status.STALL), what="STOP or STALL"
        )
        intake = stopped.group(intake_group)
        assert intake.lag == DECLARATIONS
        assert sum(p.latest.end - p.latest.position for p in intake.partitions) == DECLARATIONS
        assert {p.status for p in intake.partitions if p.latest.lag} <= {Status.STOP, Status.STALL}
        assert intake.drain_seconds is None  # nothing is being consumed
        first_age = intake.time_lag
        await asyncio.sleep(1.1)
        later = (await monitor.sample()).group(intake_group)
        assert later.lag == DECLARATIONS
        assert later.time_lag >= first_age + 1.0  # the waiting records only grow older
        assert stopped.group(system.topics.group("dispatch")).lag == 0  # nothing was approved

        system.start("intake")
        resumed = await _until(monitor, lambda r: r.group(intake_group).lag == 0, what="intake to drain its lag")
        intake = resumed.group(intake_group)
        assert (intake.status, intake.time_lag, intake.drain_seconds) == (Status.OK, 0.0, 0.0)
        assert _committed(intake) == WARM_UP + DECLARATIONS

        # Intake's output is workflow's input, and workflow is not running: one dossier item each now waits there.
        workflow_group = system.topics.group("workflow")
        waiting = await _until(
            monitor,
            lambda r: r.group(workflow_group).lag >= WARM_UP + DECLARATIONS,
            what="the dossier items to reach workflow's topic",
        )
        workflow = waiting.group(workflow_group)
        assert (workflow.lag, workflow.status) == (WARM_UP + DECLARATIONS, Status.STOP)

    assert await system.db.fetchval("SELECT count(*) FROM intake.declarations") == WARM_UP + DECLARATIONS


async def test_a_killed_consumer_stalls_until_its_session_expires_then_stops(system):
    """Killed, intake stays a member of its group until its session times out: STALL, then STOP."""
    intake_group = system.topics.group("intake")
    intake = system.services.start_service("intake")
    async with KafkaLagSource(system.settings.kafka_bootstrap_servers) as source:
        monitor = LagMonitor(source, {intake_group: (system.topics.inbound,)}, window=2)
        await _until(
            monitor,
            lambda r: r.group(intake_group).partitions[0].latest.members == 1,
            what="intake to join its consumer group",
        )
        intake.kill()
        await system.submit(*[example("loonheffing", message_id=f"killed-{n}") for n in range(KILLED)])

        stalled = await _until(monitor, lambda r: r.group(intake_group).status != Status.OK, what="not OK")
        assert (stalled.group(intake_group).status, stalled.group(intake_group).lag) == (Status.STALL, KILLED)
        assert {p.latest.members for p in stalled.group(intake_group).partitions} == {1}

        stopped = await _until(monitor, lambda r: r.group(intake_group).status == Status.STOP, what="STOP")
        assert stopped.group(intake_group).lag == KILLED
        assert {p.latest.members for p in stopped.group(intake_group).partitions} == {0}


def _committed(group) -> int:
    return sum(p.latest.committed or 0 for p in group.partitions)
