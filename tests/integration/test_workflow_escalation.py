"""Deadlines against a real PostgreSQL: overdue tasks escalate to the task manager once, also with several
escalating processes at once; the loop runs on its own. Time is a test clock unless the test says otherwise."""

import asyncio
import json
import shutil
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import ConsumerRecord

from accordeer.paths import REPO_ROOT
from services.workflow.domain import load_config_folder
from services.workflow.escalation import ESCALATE_ACTION
from services.workflow.setup import publish
from shared.db.pool import create_pool
from tests.support.clock import FakeClock
from tests.support.parties import seed_parties
from tests.support.records import consumer_record, dossier_item_record
from tests.support.workflow import escalations_on, workflow_on

CLIENT_TASK = "Beoordelen aangifte klant"
REACTION_TASK = "Beoordelen reactie van klant"
DEADLINE = timedelta(hours=0.0003)  # 1.08 s


@pytest.fixture
async def pool(system, tmp_path):
    await seed_parties(system.db, "workflow")
    folder = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "deploy" / "config", folder)
    belastingdienst = folder / "workflows" / "belastingdienst.yaml"
    text = belastingdienst.read_text()
    assert "Beoordelen aangifte klant: 72" in text
    belastingdienst.write_text(text.replace("Beoordelen aangifte klant: 72", "Beoordelen aangifte klant: 0.0003"))
    publication, _ = await publish(system.db, load_config_folder(folder), system.topics, published_by="test")
    assert publication.ok, publication.report()
    pool = await create_pool(system.settings.database_url, max_size=10)
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 3, 3, 9, 0, tzinfo=UTC), tick=timedelta(microseconds=1))


def action_record(system, item_id: str, task: str, action: str, actor: str) -> ConsumerRecord:
    body = json.dumps(
        {"action_id": str(uuid.uuid4()), "dossier_item_id": item_id, "task": task, "action": action, "actor": actor}
    ).encode()
    return consumer_record(system.topics.portal_actions, item_id, body)


async def escalations_of(system, item_id: str) -> list[dict]:
    rows = await system.db.fetch(
        "SELECT * FROM workflow.audit WHERE dossier_item_id = $1 AND action = $2 ORDER BY id", item_id, ESCALATE_ACTION
    )
    return [dict(r) for r in rows]


async def status_events(system, item_id: str) -> list[dict]:
    rows = await system.db.fetch("SELECT value FROM workflow.outbox WHERE topic = $1 ORDER BY id", system.topics.status)
    return [e for e in (json.loads(r["value"]) for r in rows) if e["dossier_item_id"] == item_id]


async def task_events(system, item_id: str) -> list[dict]:
    rows = await system.db.fetch("SELECT value FROM workflow.outbox WHERE topic = $1 ORDER BY id", system.topics.tasks)
    return [e for e in (json.loads(r["value"]) for r in rows) if e["dossier_item_id"] == item_id]


async def test_an_overdue_task_is_escalated_to_the_task_manager_once(system, pool, clock):
    workflow = workflow_on(pool, system.topics, clock=clock)
    escalations = escalations_on(pool, system.topics, clock=clock)
    short_id, short = dossier_item_record(system.topics, "btw-aangifte")  # Belastingdienst: 1.08 s here
    long_id, long = dossier_item_record(system.topics, "kvk-stukken")  # KvK: 168 hours
    await workflow.take([short, long])
    started = await system.db.fetchval(
        "SELECT task_started_at FROM workflow.instances WHERE dossier_item_id = $1", short_id
    )

    clock.advance(1.0)
    assert await escalations.escalate_due() == 0
    clock.advance(1.0)
    assert await escalations.escalate_due() == 1
    clock.advance(3600)
    assert await escalations.escalate_due() == 0

    message = (
        "task 'Beoordelen aangifte klant' is overdue (deadline 0.0003 hours); escalated to task manager 'fiscalist'"
    )
    [audit] = await escalations_of(system, short_id)
    assert (
        audit["actor"],
        audit["from_task"],
        audit["to_task"],
        audit["from_status"],
        audit["to_status"],
        audit["comment"],
        audit["workflow_name"],
    ) == ("accordeer", CLIENT_TASK, CLIENT_TASK, 30, 30, message, "Belastingdienst")
    row = await system.db.fetchrow("SELECT * FROM workflow.instances WHERE dossier_item_id = $1", short_id)
    assert row["state"]["assignee_overrides"] == {CLIENT_TASK: ["@destination", "fiscalist"]}
    assert (row["status_code"], row["detail"], row["task_started_at"]) == (30, message, started)
    assert [(e["status_code"], e["detail"], e["reason_code"]) for e in await status_events(system, short_id)] == [
        (30, "workflow Belastingdienst, task Beoordelen aangifte klant", None),
        (30, message, None),
    ]
    assert await escalations_of(system, long_id) == []
    [created, escalated] = await task_events(system, short_id)
    assert (created["kind"], created["assignees"], created["due_at"]) == (
        "created",
        ["peter.vandijk", "sanne.vandijk"],
        (started + timedelta(hours=0.0003)).isoformat().replace("+00:00", "Z"),
    )
    assert (escalated["kind"], escalated["task"], escalated["assignees"], escalated["due_at"]) == (
        "escalated",
        CLIENT_TASK,
        ["peter.vandijk", "sanne.vandijk", "fiscalist"],
        created["due_at"],
    )
    assert (created["added"], escalated["added"]) == (["peter.vandijk", "sanne.vandijk"], ["fiscalist"])

    # The client is still an assignee; the task manager now is one too.
    await workflow.take([action_record(system, short_id, CLIENT_TASK, "Goedkeuren bericht", "fiscalist")])
    assert (
        await system.db.fetchval("SELECT status_code FROM workflow.instances WHERE dossier_item_id = $1", short_id)
        == 50
    )


async def test_the_deadline_counts_from_when_the_task_became_current_again(system, pool, clock):
    workflow = workflow_on(pool, system.topics, clock=clock)
    escalations = escalations_on(pool, system.topics, clock=clock)
    item_id, item = dossier_item_record(system.topics)
    await workflow.take([item])

    clock.advance(0.8)
    await workflow.take([action_record(system, item_id, CLIENT_TASK, "Reageren", "sanne.vandijk")])
    clock.advance(0.8)
    await workflow.take([action_record(system, item_id, REACTION_TASK, "Opnieuw voorleggen aan klant", "medewerker")])
    clock.advance(0.8)
    assert await escalations.escalate_due() == 0  # 2.4 s since the start, 0.8 s in this turn of the task
    clock.advance(0.4)
    assert await escalations.escalate_due() == 1
    assert len(await escalations_of(system, item_id)) == 1


async def test_several_processes_escalating_at_once_escalate_each_task_once(system, pool, clock):
    workflow = workflow_on(pool, system.topics, clock=clock)
    items = [dossier_item_record(system.topics) for _ in range(40)]
    await workflow.take([r for _, r in items])
    clock.advance(2)
    processes = [escalations_on(pool, system.topics, clock=clock, batch_size=7) for _ in range(4)]

    counts = await asyncio.gather(*(p.escalate_due() for p in processes))

    assert sum(counts) == 40
    rows = await system.db.fetch(
        "SELECT dossier_item_id::text, count(*) FROM workflow.audit WHERE action = $1 GROUP BY dossier_item_id",
        ESCALATE_ACTION,
    )
    assert {r["dossier_item_id"]: r["count"] for r in rows} == {item_id: 1 for item_id, _ in items}
    assert sum(await asyncio.gather(*(p.escalate_due() for p in processes))) == 0


async def test_the_loop_escalates_on_its_own_with_the_real_clock(system, pool):
    workflow = workflow_on(pool, system.topics)
    item_id, item = dossier_item_record(system.topics)
    await workflow.take([item])
    began = time.monotonic()
    loop = asyncio.create_task(escalations_on(pool, system.topics).run_forever(0.1))
    try:
        while not await escalations_of(system, item_id):
            assert time.monotonic() - began < 15, "no escalation within 15 s"
            await asyncio.sleep(0.1)
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)
    assert time.monotonic() - began >= DEADLINE.total_seconds() - 0.2


async def test_the_migration_gives_instances_running_before_it_their_due_time(system, pool, clock):
    """Migration 0012's fill, run again on an instance whose due time is gone (as every running instance's was)."""
    workflow = workflow_on(pool, system.topics, clock=clock)
    item_id, item = dossier_item_record(system.topics, "btw-aangifte")  # Belastingdienst: 0.0003 hours here
    await workflow.take([item])
    due, started = await system.db.fetchrow(
        "SELECT task_due_at, task_started_at FROM workflow.instances WHERE dossier_item_id = $1", item_id
    )
    assert due == started + timedelta(hours=0.0003)

    await system.db.execute("UPDATE workflow.instances SET task_due_at = NULL")
    fill = (REPO_ROOT / "deploy" / "migrations" / "0012_task_due.sql").read_text().split(";")[-2]
    assert fill.strip().startswith("UPDATE workflow.instances")
    await system.db.execute(fill)
    assert (
        await system.db.fetchval("SELECT task_due_at FROM workflow.instances WHERE dossier_item_id = $1", item_id)
        == due
    )
