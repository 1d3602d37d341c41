"""Deadlines on the running system: a task left too long is escalated to the task manager, who can then act."""

import shutil

import pytest

from accordeer.paths import REPO_ROOT
from services.workflow.domain import load_config_folder
from services.workflow.setup import publish
from shared.contracts.status import StatusCode
from tests.support.declarations import example

pytestmark = pytest.mark.e2e

CLIENT_TASK = "Beoordelen aangifte klant"


async def test_an_overdue_task_is_escalated_to_the_task_manager(system, tmp_path):
    folder = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "deploy" / "config", folder)
    belastingdienst = folder / "workflows" / "belastingdienst.yaml"
    belastingdienst.write_text(
        belastingdienst.read_text().replace("Beoordelen aangifte klant: 72", "Beoordelen aangifte klant: 0.0003")
    )
    publication, _ = await publish(system.db, load_config_folder(folder), system.topics, published_by="test")
    assert publication.ok, publication.report()
    system.start("intake")
    system.services.start_service("workflow", ACCORDEER_ESCALATION_INTERVAL_SECONDS="0.2")

    await system.submit(example("btw_aangifte", message_id="late"))
    await system.wait_for(
        lambda: any(e.message_id == "late" and "escalated" in e.detail for e in system.events),
        timeout=45,
        what="the escalation",
    )
    item_id = next(e.dossier_item_id for e in system.events if e.message_id == "late" and "escalated" in e.detail)
    await system.act(item_id, CLIENT_TASK, "Goedkeuren bericht", "fiscalist", comment="namens de klant")
    await system.wait_for(lambda: StatusCode.PREPARED_FOR_SENDING in system.statuses_of(item_id), timeout=30, what="50")

    escalated = [e for e in system.events if e.dossier_item_id == item_id and "escalated" in e.detail]
    assert [(e.status_code, e.reason_code) for e in escalated] == [(30, None)]
    assert escalated[0].detail == (
        "task 'Beoordelen aangifte klant' is overdue (deadline 0.0003 hours); escalated to task manager 'fiscalist'"
    )
    trail = await system.db.fetch(
        "SELECT actor, action, from_status, to_status FROM workflow.audit WHERE dossier_item_id = $1 ORDER BY id",
        item_id,
    )
    assert [tuple(r) for r in trail] == [
        ("accordeer", "Workflow gestart", 20, 30),
        ("accordeer", "Escalatie naar taakmanager", 30, 30),
        ("fiscalist", "Goedkeuren bericht", 30, 50),
    ]
