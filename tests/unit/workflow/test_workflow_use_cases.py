"""Workflow's use cases on the in-memory unit of work: routing new items, applying actions (in a batch, twice,
refused, on no item), rolling a failed batch back, and escalating overdue tasks. The same use cases run on
PostgreSQL in tests/integration/test_workflow_*."""

import json
import uuid
from datetime import timedelta

import pytest

from services.workflow.escalation import ESCALATE_ACTION, Escalations
from services.workflow.publications import PublicationCache
from services.workflow.routing import START_ACTION
from services.workflow.use_cases import Workflow
from shared import dead_letters
from shared.topics import Topics
from tests.support.clock import FakeClock
from tests.support.parties import GOLDEN_PARTIES
from tests.support.records import consumer_record, dossier_item_record

from .fakes import WorkflowTables, published, units_of_work

TOPICS = Topics()
CLIENT_TASK, OFFICE_TASK = "Beoordelen aangifte klant", "Beoordelen reactie van klant"


@pytest.fixture
def tables(shipped) -> WorkflowTables:
    return WorkflowTables(publications={1: published(shipped)}, parties=dict(GOLDEN_PARTIES))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def workflow(tables, clock) -> Workflow:
    return Workflow(units_of_work(tables), TOPICS, "workflow", clock=clock)


def action(
    item_id: str, name: str, actor: str = "sanne.vandijk", *, task: str = CLIENT_TASK, action_id: str | None = None
):
    body = {
        "action_id": action_id or str(uuid.uuid4()),
        "dossier_item_id": item_id,
        "task": task,
        "action": name,
        "actor": actor,
    }
    return consumer_record(TOPICS.portal_actions, item_id, json.dumps(body).encode())


def sent(tables: WorkflowTables, topic: str, item_id: str | None = None) -> list[dict]:
    values = [json.loads(r.value) for r in tables.outbox if r.topic == topic]
    return [v for v in values if item_id is None or v.get("dossier_item_id") == item_id]


def statuses(tables: WorkflowTables, item_id: str) -> list[int]:
    return [e["status_code"] for e in sent(tables, TOPICS.status, item_id)]


async def new_item(workflow: Workflow, message_type: str = "btw-aangifte") -> str:
    item_id, record = dossier_item_record(TOPICS, message_type)
    await workflow.take([record])
    return item_id


async def test_a_routed_item_starts_its_workflow_with_the_clients_task(workflow, tables):
    item_id = await new_item(workflow)

    assert statuses(tables, item_id) == [30]
    [task] = sent(tables, TOPICS.tasks, item_id)
    assert (task["kind"], task["task"], task["assignees"]) == (
        "created",
        CLIENT_TASK,
        ["peter.vandijk", "sanne.vandijk"],
    )
    [audit] = tables.audit
    assert (audit.action, audit.to_task, audit.workflow_name) == (START_ACTION, CLIENT_TASK, "Belastingdienst")


async def test_an_item_without_a_route_waits_at_20_and_a_record_read_twice_counts_once(workflow, tables):
    item_id, record = dossier_item_record(TOPICS, "onbekend-soort")
    await workflow.take([record])
    await workflow.take([record])

    assert statuses(tables, item_id) == [20]
    assert "no route for message type onbekend-soort" in sent(tables, TOPICS.status, item_id)[0]["detail"]
    assert tables.instances[item_id].state is None


async def test_an_approval_sends_the_document_on_and_completes_the_clients_task(workflow, tables):
    item_id = await new_item(workflow)
    await workflow.take([action(item_id, "Goedkeuren bericht")])

    assert statuses(tables, item_id) == [30, 50]
    [approved] = sent(tables, TOPICS.approved, item_id)
    assert approved["approved_by"] == "sanne.vandijk" and approved["document"]["content_base64"]
    assert [t["kind"] for t in sent(tables, TOPICS.tasks, item_id)] == ["created", "completed"]
    assert tables.audit[-1].actor == "sanne.vandijk"


async def test_records_applied_again_later_tell_the_same_events(shipped):
    """A database restored from a backup applies the items and actions after it again: the statuses and task
    events they make keep their ids, so consumers drop them, although they are told at another time."""
    item_id, item = dossier_item_record(TOPICS)
    approval = action(item_id, "Goedkeuren bericht")
    told = []
    for hours_later in (0, 5):
        tables = WorkflowTables(publications={1: published(shipped)}, parties=dict(GOLDEN_PARTIES))
        clock = FakeClock()
        clock.advance(hours_later * 3600)
        workflow = Workflow(units_of_work(tables), TOPICS, "workflow", clock=clock)
        await workflow.take([item])
        await workflow.take([approval])
        told.append(
            [(e["event_id"], e["occurred_at"]) for topic in (TOPICS.status, TOPICS.tasks) for e in sent(tables, topic)]
        )
    assert len(told[0]) == 4  # 30 and 50; the client's task created and completed
    assert [event_id for event_id, _ in told[0]] == [event_id for event_id, _ in told[1]]
    assert not {at for _, at in told[0]} & {at for _, at in told[1]}


async def test_an_action_an_operator_takes_on_someones_behalf_names_them_in_the_task_events(workflow, tables):
    item_id = await new_item(workflow)
    on_behalf = action(item_id, "Goedkeuren bericht")
    await workflow.take([consumer_record(TOPICS.actions_from("operator.olga"), item_id, on_behalf.value)])

    [created, completed] = sent(tables, TOPICS.tasks, item_id)
    assert (completed["kind"], completed["actor"], completed["operator"]) == (
        "completed",
        "sanne.vandijk",
        "operator.olga",
    )
    assert created["operator"] is None
    assert (tables.audit[-1].actor, tables.audit[-1].operator) == ("sanne.vandijk", "operator.olga")


async def test_several_actions_on_one_item_in_one_batch_are_decided_in_order(workflow, tables):
    item_id = await new_item(workflow)
    await workflow.take(
        [
            action(item_id, "Reageren"),
            action(item_id, "Opnieuw voorleggen aan klant", "medewerker", task=OFFICE_TASK),
            action(item_id, "Goedkeuren bericht"),
        ]
    )

    assert statuses(tables, item_id) == [30, 30, 30, 50]
    assert tables.instances[item_id].state.step == 3, "each action one step, stored at once"
    assert [a.action for a in tables.audit] == [
        START_ACTION,
        "Reageren",
        "Opnieuw voorleggen aan klant",
        "Goedkeuren bericht",
    ]


async def test_an_action_carried_twice_acts_once_in_the_same_batch_and_in_a_later_one(workflow, tables):
    item_id = await new_item(workflow)
    approve = action(item_id, "Goedkeuren bericht", action_id="a-1")
    await workflow.take([approve, action(item_id, "Goedkeuren bericht", action_id="a-1")])
    await workflow.take([action(item_id, "Goedkeuren bericht", action_id="a-1")])

    assert statuses(tables, item_id) == [30, 50]
    assert len(sent(tables, TOPICS.approved)) == 1


async def test_an_action_by_someone_else_is_refused_on_the_status_topic_and_remembered(workflow, tables):
    item_id = await new_item(workflow)
    await workflow.take([action(item_id, "Goedkeuren bericht", "eva.jansen", action_id="a-2")])

    [_, refused] = sent(tables, TOPICS.status, item_id)
    assert (refused["status_code"], refused["reason_code"]) == (30, "not_allowed")
    assert tables.applied_actions["a-2"] == "refused"
    assert tables.instances[item_id].state.step == 0


async def test_an_action_on_no_item_is_dead_lettered_with_the_reason(workflow, tables):
    await workflow.take(
        [
            action("not-a-uuid", "Goedkeuren bericht"),
            action(str(uuid.uuid4()), "Goedkeuren bericht"),
            consumer_record(TOPICS.portal_actions, "x", b"{garbled"),
        ]
    )

    letters = [dict(r.headers) for r in tables.outbox if r.topic == TOPICS.workflow_actions_dlq]
    assert [h[dead_letters.REASON_CODE] for h in letters] == [
        "unknown_dossier_item",
        "unknown_dossier_item",
        "invalid_action",
    ]


async def test_a_batch_that_fails_leaves_nothing_behind_and_is_applied_when_it_comes_again(
    workflow, tables, monkeypatch
):
    item_id = await new_item(workflow)
    before = (list(tables.outbox), dict(tables.positions), tables.instances[item_id])
    approve = action(item_id, "Goedkeuren bericht")

    async def database_gone(self, entries):
        raise ConnectionError("database away")

    with monkeypatch.context() as patched:
        patched.setattr("tests.unit.workflow.fakes.InMemoryWorkflowRepository.audit", database_gone)
        with pytest.raises(ConnectionError):
            await workflow.take([approve])
    assert (tables.outbox, tables.positions, tables.instances[item_id]) == before

    await workflow.take([approve])
    assert statuses(tables, item_id) == [30, 50]


async def test_an_overdue_task_is_escalated_to_the_task_manager_once(workflow, tables, clock):
    escalations = Escalations(units_of_work(tables), TOPICS, PublicationCache(), clock=clock)
    item_id = await new_item(workflow)  # Belastingdienst: 72 hours for the client
    other = await new_item(workflow, "kvk-stukken")  # KvK: 168 hours

    clock.advance(timedelta(hours=71).total_seconds())
    assert await escalations.escalate_due() == 0
    clock.advance(timedelta(hours=2).total_seconds())
    assert await escalations.escalate_due() == 1
    assert await escalations.escalate_due() == 0

    [escalation] = [a for a in tables.audit if a.action == ESCALATE_ACTION]
    assert (escalation.dossier_item_id, escalation.to_task) == (item_id, CLIENT_TASK)
    assert "escalated to task manager 'fiscalist'" in escalation.comment
    assert sent(tables, TOPICS.tasks, item_id)[-1]["kind"] == "escalated"
    assert statuses(tables, other) == [30]


async def test_a_task_is_due_for_escalation_by_its_deadline_and_never_when_its_manager_holds_it(
    workflow, tables, clock
):
    item_id = await new_item(workflow)  # Belastingdienst: 72 hours for the client, fiscalist manages
    assert tables.task_due_at[item_id] == clock() + timedelta(hours=72)

    clock.advance(3600)
    await workflow.take([action(item_id, "Reageren")])  # to @fiscaal, which the fiscalist is one of
    assert item_id not in tables.task_due_at

    await workflow.take([action(item_id, "Opnieuw voorleggen aan klant", "medewerker", task=OFFICE_TASK)])
    assert tables.task_due_at[item_id] == clock() + timedelta(hours=72), "the client's deadline starts again"
