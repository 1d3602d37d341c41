"""`accordeer act --as USER` is the operator acting on behalf of USER: the action carries the operator, workflow
audits "operator X on behalf of USER", and `accordeer history` shows it; a person's own action names only them."""

import pytest

from shared.contracts.status import StatusCode
from tests.support.declarations import example

pytestmark = pytest.mark.e2e

CLIENT_TASK, APPROVE = "Beoordelen aangifte klant", "Goedkeuren bericht"


async def test_act_as_a_user_is_audited_as_the_operator_on_behalf_of_that_user(system):
    system.start("intake", "workflow")
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
        env={"ACCORDEER_OPERATOR": "m.devries"},
    )
    assert acted.returncode == 0, acted.stderr + acted.stdout

    rows = await system.db.fetch(
        "SELECT actor, operator, action FROM workflow.audit WHERE dossier_item_id = $1 ORDER BY id", item_id
    )
    assert [tuple(r) for r in rows] == [
        ("accordeer", None, "Workflow gestart"),
        ("sanne.vandijk", "m.devries", APPROVE),
    ]
    history = await system.cli("history", item_id[:8])
    assert history.returncode == 0, history.stderr
    started, approved = history.stdout.splitlines()[1:]
    assert "operator" not in started
    assert "operator m.devries on behalf of sanne.vandijk" in approved and "telefonisch akkoord" in approved
