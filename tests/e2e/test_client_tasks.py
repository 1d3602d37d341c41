"""The client approves their own declaration: tasks go to the destination's portal users, another client's action
is refused, a client without a portal user leaves the task with the task manager, and every task's life is on
workflow.tasks from creation to completion."""

import json
from base64 import b64decode, b64encode

import pytest

from shared.contracts.status import StatusCode
from shared.contracts.tasks import TaskEvent
from tests.support.declarations import example

pytestmark = pytest.mark.e2e

CLIENT_TASK = "Beoordelen aangifte klant"
OFFICE_TASK = "Beoordelen reactie van klant"


async def _tasks(system, expect: int) -> list[TaskEvent]:
    return [TaskEvent.model_validate_json(r.value) for r in await system.read_topic(system.topics.tasks, expect=expect)]


def _of(events: list[TaskEvent], item_id: str) -> list[tuple]:
    return [(e.kind, e.task, tuple(e.assignees), e.actor, e.action) for e in events if e.dossier_item_id == item_id]


async def _item_of(system, message_id: str) -> str:
    await system.wait_for(
        lambda: any(e.message_id == message_id and e.status_code == 30 for e in system.events),
        what=f"{message_id} in its workflow",
    )
    return next(e.dossier_item_id for e in system.events if e.message_id == message_id and e.status_code == 30)


async def test_each_client_sees_and_acts_on_only_their_own_declaration(system):
    system.start("intake", "workflow")
    await system.submit(example("btw_aangifte", message_id="bakkerij"), example("icp_aangifte", message_id="jansen"))
    bakkerij, jansen = await _item_of(system, "bakkerij"), await _item_of(system, "jansen")

    created = {e.dossier_item_id: e for e in await _tasks(system, expect=2)}
    assert created[bakkerij].assignees == ["sanne.vandijk"]  # the contact the declaration names
    assert created[jansen].assignees == ["eva.jansen"]  # every active contact with a portal user
    assert created[bakkerij].summary is not None and created[bakkerij].summary.amount is not None

    await system.act(bakkerij, CLIENT_TASK, "Goedkeuren bericht", "eva.jansen")
    await system.act(jansen, CLIENT_TASK, "Goedkeuren bericht", "sanne.vandijk")
    await system.wait_for(lambda: sum(e.reason_code == "not_allowed" for e in system.events) == 2, what="both refusals")
    await system.act(bakkerij, CLIENT_TASK, "Goedkeuren bericht", "sanne.vandijk", comment="akkoord")
    await system.act(jansen, CLIENT_TASK, "Reageren", "eva.jansen", comment="Klopt de omzet van december?")
    await system.wait_for(lambda: StatusCode.PREPARED_FOR_SENDING in system.statuses_of(bakkerij), what="50")

    events = await _tasks(system, expect=5)
    assert _of(events, bakkerij) == [
        ("created", CLIENT_TASK, ("sanne.vandijk",), None, None),
        ("completed", CLIENT_TASK, (), "sanne.vandijk", "Goedkeuren bericht"),
    ]
    assert _of(events, jansen) == [
        ("created", CLIENT_TASK, ("eva.jansen",), None, None),
        ("completed", CLIENT_TASK, (), "eva.jansen", "Reageren"),
        ("created", OFFICE_TASK, ("fiscalist", "medewerker"), "eva.jansen", "Reageren"),
    ]
    [completed] = [e for e in events if e.dossier_item_id == jansen and e.kind == "completed"]
    assert completed.comment == "Klopt de omzet van december?"
    refusals = [e for e in system.events if e.reason_code == "not_allowed"]
    assert {e.dossier_item_id for e in refusals} == {bakkerij, jansen}
    assert all("is not an assignee" in e.detail for e in refusals)


async def test_a_client_without_a_portal_user_leaves_the_task_with_the_task_manager(system):
    system.start("intake", "workflow")
    golden = example("btw_aangifte")
    xml = b64decode(golden["document"]["content_base64"]).replace(b"001234567B01", b"003456789B01")
    await system.submit(
        example(
            "btw_aangifte",
            message_id="linde",
            destinations=[{"organisation_person_id": "ORG-30001"}],
            identity={"number": "NL003456789B01", "type": "BTW"},
            document={**golden["document"], "content_base64": b64encode(xml).decode()},
        )
    )
    item = await _item_of(system, "linde")

    [created] = await _tasks(system, expect=1)
    assert (created.dossier_item_id, created.assignees) == (item, ["fiscalist"])
    assert created.assignment_note == (
        "no active contact of ORG-30001 has a portal user; assigned to the task manager fiscalist"
    )
    assert created.due_at is not None and (created.due_at - created.occurred_at).total_seconds() == 72 * 3600
    assert json.loads(created.model_dump_json())["summary"]["identity_number"] == "NL003456789B01"
