"""Integrators change workflows by configuration and one publish, on the running system: a new message type with
its own workflow, and a changed workflow that running items do not notice."""

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from accordeer.paths import REPO_ROOT
from services.workflow.domain import load_config_folder
from services.workflow.setup import publish
from shared.contracts.status import StatusCode
from tests.support.declarations import example

pytestmark = pytest.mark.e2e

CLIENT_TASK = "Beoordelen aangifte klant"
REACTION_TASK = "Beoordelen reactie van klant"
VPB_WORKFLOW = """\
# Corporate income tax returns (vpb-aangifte), added by an integrator.
name: Vennootschapsbelasting
based_on: standard
task_manager: fiscalist
assignees:
  Beoordelen reactie van klant: ["@fiscaal"]
"""
VPB_ROUTE = "- message_type: vpb-aangifte\n  workflow: Vennootschapsbelasting\n"


def shipped_config(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "deploy" / "config", folder)
    return folder


async def accordeer(system, *args: str) -> subprocess.CompletedProcess:
    """The CLI as a person runs it, pointed at this test's database and topics."""
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "accordeer.cli", *args],
        env={**os.environ, **system.services.env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
    )


async def item_in_workflow(system, message_id: str) -> str:
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
    """Act, and return the status event the action caused."""
    before = len([e for e in system.events if e.dossier_item_id == item_id])
    await system.act(item_id, task, action, actor, **fields)
    await system.wait_for(
        lambda: len([e for e in system.events if e.dossier_item_id == item_id]) > before,
        timeout=30,
        what=f"the outcome of '{action}' by {actor}",
    )
    return [e for e in system.events if e.dossier_item_id == item_id][before]


async def test_a_new_message_type_is_added_by_configuration_and_one_publish_without_a_restart(system, tmp_path):
    system.start("digipoort_mock", "intake", "workflow", "dispatch")
    workflow_pid = system.services.processes["workflow"].pid
    await system.submit(
        example("btw_aangifte", message_id="vpb-1", message_type="vpb-aangifte", subject="Vpb-aangifte 2024")
    )
    no_route = "no route for message type vpb-aangifte"
    await system.wait_for(
        lambda: any(e.message_id == "vpb-1" and e.detail == no_route for e in system.events),
        timeout=30,
        what="the item waiting for a route",
    )
    waiting = next(e for e in system.events if e.message_id == "vpb-1" and e.detail == no_route)
    item_id = waiting.dossier_item_id
    assert waiting.status_code == StatusCode.PROCESSING

    folder = shipped_config(tmp_path)
    (folder / "workflows" / "vpb.yaml").write_text(VPB_WORKFLOW)
    with (folder / "routes.yaml").open("a") as routes:
        routes.write(VPB_ROUTE)
    published = await accordeer(system, "workflows", "publish", "--config", str(folder), "--by", "integrator")

    assert published.returncode == 0, published.stderr
    assert "Vennootschapsbelasting: De workflow is succesvol gepubliceerd." in published.stdout.splitlines()
    assert "1 waiting dossier item(s) routed into a workflow" in published.stdout
    assert await item_in_workflow(system, "vpb-1") == item_id
    started = next(e for e in system.events if e.dossier_item_id == item_id and e.status_code == StatusCode.IN_WORKFLOW)
    assert started.detail == "workflow Vennootschapsbelasting, task Beoordelen aangifte klant"

    await system.act(item_id, CLIENT_TASK, "Goedkeuren bericht", "sanne.vandijk", comment="akkoord")
    await system.wait_for(
        lambda: StatusCode.ACCEPTED_BY_AUTHORITY in system.statuses_of(item_id), timeout=45, what="80"
    )

    codes = [c for c in system.statuses_of(item_id) if c != StatusCode.SENT]  # 60 repeats with each gateway status
    assert codes == [20, 20, 30, 50, 80]
    received = await system.gateway("GET", "/_admin/received")
    assert received["per_aanleverkenmerk"] == {item_id.replace("-", ""): 1}
    assert received["deliveries"][0]["berichtsoort"] == "Vennootschapsbelasting"
    assert system.services.processes["workflow"].pid == workflow_pid and system.services.processes["workflow"].running()
    assert await system.db.fetchval(
        "SELECT publication_id FROM workflow.instances WHERE dossier_item_id = $1", item_id
    ) == await system.db.fetchval("SELECT max(id) FROM workflow.publications")

    history = await accordeer(system, "history", item_id)
    assert history.returncode == 0, history.stderr
    lines = history.stdout.splitlines()
    assert len(lines) == 2  # and no summary line: the new message type has no summary configured
    assert all(word in lines[0] for word in ("accordeer", "Workflow gestart", f"- → {CLIENT_TASK}", "20→30", "v2"))
    assert all(
        word in lines[1]
        for word in ("sanne.vandijk", "Goedkeuren bericht", f"{CLIENT_TASK} → -", "30→50", "v2", "akkoord")
    )


async def test_running_items_keep_the_workflow_version_they_started_with(system, tmp_path):
    system.start("intake", "workflow")
    await system.submit(example("btw_aangifte", message_id="version-old"))
    old = await item_in_workflow(system, "version-old")

    folder = shipped_config(tmp_path)
    standard = folder / "workflows" / "standard.yaml"
    standard.write_text(standard.read_text().replace("name: Reageren", "name: Vraag stellen"))
    publication, routed = await publish(system.db, load_config_folder(folder), system.topics, published_by="test")
    assert publication.ok and routed == 0, publication.report()
    await system.submit(example("btw_aangifte", message_id="version-new"))
    new = await item_in_workflow(system, "version-new")

    refused_old = await act_and_wait(system, old, CLIENT_TASK, "Vraag stellen", "sanne.vandijk")
    moved_old = await act_and_wait(system, old, CLIENT_TASK, "Reageren", "sanne.vandijk")
    refused_new = await act_and_wait(system, new, CLIENT_TASK, "Reageren", "sanne.vandijk")
    moved_new = await act_and_wait(system, new, CLIENT_TASK, "Vraag stellen", "sanne.vandijk")

    assert (refused_old.status_code, refused_old.reason_code) == (30, "unknown_action")
    assert (refused_new.status_code, refused_new.reason_code) == (30, "unknown_action")
    assert "task 'Beoordelen aangifte klant' has no action 'Vraag stellen'" in refused_old.detail
    assert moved_old.reason_code is None and moved_old.detail == f"Reageren by sanne.vandijk; task {REACTION_TASK}"
    assert moved_new.reason_code is None and moved_new.detail == f"Vraag stellen by sanne.vandijk; task {REACTION_TASK}"
    trail = await system.db.fetch(
        "SELECT dossier_item_id::text AS item, action, publication_id FROM workflow.audit ORDER BY id"
    )
    assert [(r["item"], r["action"], r["publication_id"]) for r in trail] == [
        (old, "Workflow gestart", 1),
        (new, "Workflow gestart", 2),
        (old, "Reageren", 1),
        (new, "Vraag stellen", 2),
    ]
