"""Who acted is proven, not claimed: `accordeer act --as USER` is the operator principal acting on behalf of USER
(its own topic, audited as "operator on behalf of USER", and so named in the client's history in the portal); a
click in the portal is audited as the person "via the portal"; an action whose writer may not vouch for what it
claims is refused with its reason."""

import asyncio
import json

import pytest

from shared.contracts.status import StatusCode
from tests.e2e.test_portal import _logged_in
from tests.support.declarations import example

pytestmark = pytest.mark.e2e

CLIENT_TASK, APPROVE = "Beoordelen aangifte klant", "Goedkeuren bericht"


async def test_act_as_a_user_is_audited_as_the_operator_on_behalf_of_that_user(system, browser):
    system.start("intake", "workflow")
    portal = await system.start_portal()
    await system.submit(example("btw_aangifte", message_id="on-behalf-1"))
    await system.wait_for(
        lambda: any(e.message_id == "on-behalf-1" and e.status_code == StatusCode.IN_WORKFLOW for e in system.events),
        what="the item at 30",
    )
    item_id = next(e.dossier_item_id for e in system.events if e.message_id == "on-behalf-1" and e.dossier_item_id)

    acted = await system.cli(
        "act",
        item_id[:8],
        CLIENT_TASK,
        APPROVE,
        "--as",
        "sanne.vandijk",
        "--comment",
        "telefonisch akkoord",
        env={"ACCORDEER_OPERATOR": "m.devries"},  # a claim from the environment: named nowhere
    )
    assert acted.returncode == 0, acted.stderr + acted.stdout

    rows = await system.db.fetch(
        "SELECT actor, operator, writer, action FROM workflow.audit WHERE dossier_item_id = $1 ORDER BY id", item_id
    )
    assert [tuple(r) for r in rows] == [
        ("accordeer", None, None, "Workflow gestart"),
        ("sanne.vandijk", "operator", "operator", APPROVE),
    ]
    history = await system.cli("history", item_id[:8])
    assert history.returncode == 0, history.stderr
    started, approved = history.stdout.splitlines()[1:]
    assert "operator" not in started
    assert "operator on behalf of sanne.vandijk" in approved and "telefonisch akkoord" in approved
    assert "m.devries" not in history.stdout

    # the client reads in the portal who approved on their behalf
    page = await _logged_in(browser, portal, "sanne.vandijk")
    lines = page.locator("ol.history li")
    for _ in range(100):
        await page.goto(f"{portal}/taken/{item_id}")
        if "operator namens sanne.vandijk" in " ".join(await lines.all_inner_texts()):
            break
        await asyncio.sleep(0.2)
    assert "operator namens sanne.vandijk: Goedkeuren bericht" in " ".join(await lines.all_inner_texts())


async def test_an_action_its_writer_cannot_vouch_for_is_refused_with_its_reason_and_a_click_names_the_portal(system):
    system.start("intake", "workflow")
    await system.submit(example("btw_aangifte", message_id="forged-1"))
    await system.wait_for(
        lambda: any(e.message_id == "forged-1" and e.status_code == StatusCode.IN_WORKFLOW for e in system.events),
        what="the item at 30",
    )
    item_id = next(e.dossier_item_id for e in system.events if e.message_id == "forged-1" and e.dossier_item_id)

    def action(action_id: str, **claims) -> list[tuple[str | None, bytes]]:
        body = {"schema_version": 1, "action_id": action_id, "dossier_item_id": item_id, "task": CLIENT_TASK}
        return [(item_id, json.dumps(body | {"action": APPROVE, "actor": "sanne.vandijk", **claims}).encode())]

    await system.publish(system.topics.workflow_actions, action("no-writer"))  # the shared topic proves no one
    await system.publish(system.topics.portal_actions, action("portal-as-operator", operator="operator"))
    await system.publish(system.topics.actions_from("operator"), action("operator-as-another", operator="m.devries"))
    dead = await system.read_topic(system.topics.workflow_actions_dlq, expect=3)

    letters = {json.loads(r.value)["action_id"]: {k: v.decode() for k, v in r.headers} for r in dead}
    assert {a: h["accordeer-reason-code"] for a, h in letters.items()} == dict.fromkeys(
        ["no-writer", "portal-as-operator", "operator-as-another"], "writer_not_vouching"
    )
    assert "workflow.actions.from.portal" in letters["no-writer"]["accordeer-reason"]
    assert "never on behalf" in letters["portal-as-operator"]["accordeer-reason"]
    assert "only as itself" in letters["operator-as-another"]["accordeer-reason"]
    assert letters["operator-as-another"]["accordeer-original-topic"] == system.topics.actions_from("operator")
    outcomes = await system.db.fetch("SELECT action_id, outcome FROM workflow.applied_actions")
    assert {r["action_id"]: r["outcome"] for r in outcomes} == dict.fromkeys(letters, "refused")

    await system.act(item_id, CLIENT_TASK, APPROVE, "sanne.vandijk")
    await system.wait_for(
        lambda: any(e.message_id == "forged-1" and e.status_code > StatusCode.IN_WORKFLOW for e in system.events),
        what="the portal's approval",
    )
    history = await system.cli("history", item_id[:8])
    assert history.returncode == 0, history.stderr
    assert "sanne.vandijk via the portal" in history.stdout.splitlines()[-1]
