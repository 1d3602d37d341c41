"""People's actions on the running system: conflicting actions at once, refusals, duplicates, malformed records,
and the task manager's interventions, each checked on messages.status, the DLQ and the audit trail."""

import asyncio
import json
import os
import subprocess
import sys
import uuid

import pytest

from accordeer.paths import REPO_ROOT
from shared.contracts.status import StatusCode
from tests.support.declarations import example

pytestmark = pytest.mark.e2e

CLIENT_TASK = "Beoordelen aangifte klant"
REACTION_TASK = "Beoordelen reactie van klant"
APPROVE, REJECT = "Goedkeuren bericht", "Afkeuren bericht"
REASON_CODE = "accordeer-reason-code"


def events_of(system, item_id: str) -> list:
    return [e for e in system.events if e.dossier_item_id == item_id]


async def item_in_workflow(system, declaration: dict) -> str:
    message_id = declaration["message_id"]
    await system.submit(declaration)
    await system.wait_for(
        lambda: any(e.message_id == message_id and e.status_code == StatusCode.IN_WORKFLOW for e in system.events),
        timeout=30,
        what=f"{message_id} at 30",
    )
    return next(
        e.dossier_item_id
        for e in system.events
        if e.message_id == message_id and e.status_code == StatusCode.IN_WORKFLOW
    )


async def act_and_wait(system, item_id: str, task: str, action: str, actor: str, **fields):
    """Act, and return the status event the action caused (actions on one item are applied in order)."""
    before = len(events_of(system, item_id))
    await system.act(item_id, task, action, actor, **fields)
    await system.wait_for(
        lambda: len(events_of(system, item_id)) > before, timeout=30, what=f"the outcome of '{action}' by {actor}"
    )
    return events_of(system, item_id)[before]


async def audit_of(system, item_id: str) -> list[tuple]:
    rows = await system.db.fetch(
        "SELECT actor, action, from_task, to_task, from_status, to_status, comment"
        " FROM workflow.audit WHERE dossier_item_id = $1 ORDER BY id",
        item_id,
    )
    return [tuple(r) for r in rows]


def headers(record) -> dict[str, str]:
    return {k: v.decode() for k, v in record.headers}


async def settled(system, *, timeout: float = 30) -> None:
    """Every action applied and every outbox record published, plus a moment for the status reader."""
    for _ in range(int(timeout * 10)):
        if await system.db.fetchval("SELECT count(*) FROM workflow.outbox") == 0:
            await asyncio.sleep(1)
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the workflow outbox did not drain")


async def test_fifty_conflicting_actions_at_once_move_an_item_exactly_once(system):
    system.start("intake", "workflow")
    for n in (2, 3):
        system.services.start_service("workflow", instance=str(n))
    keyed = await item_in_workflow(system, example("btw_aangifte", message_id="race-keyed"))
    spread = await item_in_workflow(system, example("loonheffing", message_id="race-spread"))
    await system.wait_for(
        lambda: all(
            "workflow.actions" in p.log_path.read_text()
            for name, p in system.services.processes.items()
            if name.startswith("workflow")
        ),
        timeout=30,
        what="every workflow process to consume workflow.actions",
    )

    def actions(item_id: str, key) -> list[tuple[str, bytes]]:
        bodies = [
            {
                "action_id": f"{item_id}-{n}",
                "dossier_item_id": item_id,
                "task": CLIENT_TASK,
                "action": APPROVE if n % 2 else REJECT,
                "actor": "sanne.vandijk",
            }
            for n in range(50)
        ]
        return [(key(), json.dumps(b).encode()) for b in bodies]

    # One item's actions keyed by the item, as the contract says; the other's keyed at random, so they land on
    # every partition and several workflow processes decide on the one item at the same moment.
    records = actions(keyed, lambda: keyed) + actions(spread, lambda: str(uuid.uuid4()))
    producers = [records[n::5] for n in range(5)]
    await asyncio.gather(*(system.publish(system.topics.portal_actions, chunk) for chunk in producers))
    await system.wait_for(
        lambda: (
            len([e for e in system.events if e.dossier_item_id in (keyed, spread) and e.status_code in (40, 50)]) >= 2
        ),
        timeout=30,
        what="both items to end",
    )
    dead = await system.read_topic(system.topics.workflow_actions_dlq, expect=98)
    await settled(system)

    for item_id in (keyed, spread):
        trail = await audit_of(system, item_id)
        assert trail[0][1] == "Workflow gestart" and len(trail) == 2
        assert trail[1][1] in (APPROVE, REJECT) and trail[1][5] == (50 if trail[1][1] == APPROVE else 40)
        assert [e.status_code for e in events_of(system, item_id) if e.status_code in (40, 50)] == [trail[1][5]]
        assert [e for e in events_of(system, item_id) if e.reason_code] == []
        losers = [r for r in dead if json.loads(r.value)["dossier_item_id"] == item_id]
        assert len(losers) == 49 and {headers(r)[REASON_CODE] for r in losers} == {"not_running"}
    assert len(dead) == 98
    deciders = [
        name
        for name, p in system.services.processes.items()
        if name.startswith("workflow") and spread in p.log_path.read_text()
    ]
    assert len(deciders) >= 2, f"only {deciders} decided on the spread item; the race was not a race"


async def test_refused_duplicate_and_malformed_actions_change_nothing(system):
    system.start("intake", "workflow")
    item_id = await item_in_workflow(system, example("btw_aangifte", message_id="refusals"))

    unauthorised = await act_and_wait(system, item_id, CLIENT_TASK, APPROVE, "medewerker")
    unknown = await act_and_wait(system, item_id, CLIENT_TASK, "Doorsturen naar accountant", "sanne.vandijk")
    reacted = await act_and_wait(
        system, item_id, CLIENT_TASK, "Reageren", "sanne.vandijk", action_id="reaction-1", comment="Klopt het bedrag?"
    )
    await system.act(
        item_id, CLIENT_TASK, "Reageren", "sanne.vandijk", action_id="reaction-1", comment="Klopt het bedrag?"
    )
    # Applied in order after the duplicate, so the next event proves the duplicate caused none.
    stale = await act_and_wait(system, item_id, CLIENT_TASK, APPROVE, "sanne.vandijk")

    assert [(e.status_code, e.reason_code) for e in (unauthorised, unknown, reacted, stale)] == [
        (30, "not_allowed"),
        (30, "unknown_action"),
        (30, None),
        (30, "stale_task"),
    ]
    assert "'medewerker' is not an assignee of task 'Beoordelen aangifte klant'" in unauthorised.detail
    assert "task 'Beoordelen aangifte klant' has no action 'Doorsturen naar accountant'" in unknown.detail
    assert reacted.detail == f"Reageren by sanne.vandijk; task {REACTION_TASK}"
    assert f"the current task is '{REACTION_TASK}'" in stale.detail
    assert await audit_of(system, item_id) == [
        ("accordeer", "Workflow gestart", None, CLIENT_TASK, 20, 30, ""),
        ("sanne.vandijk", "Reageren", CLIENT_TASK, REACTION_TASK, 30, 30, "Klopt het bedrag?"),
    ]
    assert await system.db.fetchval("SELECT count(*) FROM workflow.applied_actions WHERE action_id = 'reaction-1'") == 1

    valid = {
        "action_id": "x",
        "dossier_item_id": item_id,
        "task": REACTION_TASK,
        "action": REJECT,
        "actor": "sanne.vandijk",
    }
    malformed = [
        b'{"action_id": "half',
        json.dumps(valid | {"priority": "high"}).encode(),
        json.dumps(valid | {"dossier_item_id": "ITEM-1"}).encode(),
    ]
    await system.publish(system.topics.portal_actions, [(item_id, m) for m in malformed])
    after = await act_and_wait(system, item_id, REACTION_TASK, "Opnieuw voorleggen aan klant", "medewerker")
    dead = await system.read_topic(system.topics.workflow_actions_dlq, expect=3)

    assert (after.status_code, after.reason_code) == (30, None)
    assert [r.value for r in dead] == malformed
    assert [headers(r)[REASON_CODE] for r in dead] == ["invalid_action", "invalid_action", "unknown_dossier_item"]
    assert "priority: Extra inputs are not permitted" in headers(dead[1])["accordeer-reason"]
    for record in dead:
        original = headers(record)
        assert original["accordeer-original-topic"] == system.topics.portal_actions
        assert record.key.decode() == item_id
    offsets = [int(headers(r)["accordeer-original-offset"]) for r in dead]
    assert offsets == sorted(offsets) and len(set(offsets)) == 3
    assert len({headers(r)["accordeer-original-partition"] for r in dead}) == 1
    assert len(await audit_of(system, item_id)) == 3


async def test_the_task_manager_restores_a_rejected_item_and_reassigns_its_task(system):
    system.start("intake", "workflow")
    item_id = await item_in_workflow(system, example("btw_aangifte", message_id="manager"))

    rejected = await act_and_wait(system, item_id, CLIENT_TASK, REJECT, "sanne.vandijk", comment="bedrag klopt niet")
    await system.act(item_id, CLIENT_TASK, "Herstellen berichtstatus", "sanne.vandijk")
    restored = await act_and_wait(
        system, item_id, CLIENT_TASK, "Herstellen berichtstatus", "fiscalist", comment="klant heeft zich vergist"
    )
    reassigned = await act_and_wait(
        system, item_id, CLIENT_TASK, "Taak toewijzen", "fiscalist", assignees=["boekhouder"]
    )
    old_assignee = await act_and_wait(system, item_id, CLIENT_TASK, APPROVE, "sanne.vandijk")
    approved = await act_and_wait(system, item_id, CLIENT_TASK, APPROVE, "boekhouder")

    assert [(e.status_code, e.reason_code) for e in (rejected, restored, reassigned, old_assignee, approved)] == [
        (40, None),
        (30, None),
        (30, None),
        (30, "not_allowed"),
        (50, None),
    ]
    assert restored.detail == f"Herstellen berichtstatus by fiscalist; task {CLIENT_TASK}"
    assert reassigned.detail == f"Taak toewijzen by fiscalist; task {CLIENT_TASK}, assigned to boekhouder"
    [refused_restore] = await system.read_topic(system.topics.workflow_actions_dlq, expect=1)
    assert headers(refused_restore)[REASON_CODE] == "not_allowed"  # at 40 the refusal goes to the DLQ, see actions.py
    [message] = await system.read_topic(system.topics.approved, expect=1)
    assert json.loads(message.value)["approved_by"] == "boekhouder"
    assert await audit_of(system, item_id) == [
        ("accordeer", "Workflow gestart", None, CLIENT_TASK, 20, 30, ""),
        ("sanne.vandijk", REJECT, CLIENT_TASK, None, 30, 40, "bedrag klopt niet"),
        ("fiscalist", "Herstellen berichtstatus", None, CLIENT_TASK, 40, 30, "klant heeft zich vergist"),
        ("fiscalist", "Taak toewijzen", CLIENT_TASK, CLIENT_TASK, 30, 30, "assigned to boekhouder"),
        ("boekhouder", APPROVE, CLIENT_TASK, None, 30, 50, ""),
    ]

    history = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "accordeer.cli", "history", item_id],
        env={**os.environ, **system.services.env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
    )
    assert history.returncode == 0, history.stderr
    summary, *lines = history.stdout.splitlines()
    assert summary.startswith("btw-aangifte · period 2025-01-01 to 2025-01-31 · to pay EUR 1,523.00")
    assert [line.split()[2] for line in lines] == ["accordeer", "sanne.vandijk", "fiscalist", "fiscalist", "boekhouder"]
    assert "30→40" in lines[1] and "bedrag klopt niet" in lines[1]
    assert "40→30" in lines[2] and "Herstellen berichtstatus" in lines[2]
    assert "Taak toewijzen" in lines[3] and "assigned to boekhouder" in lines[3]
    assert "30→50" in lines[4] and all("v1" in line for line in lines)
