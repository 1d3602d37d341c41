"""The portal's projection: dossier items, statuses and task events become the rows its pages read, each record
once, a record breaking its topic's contract dead-lettered where the topic has a dead-letter topic, and a batch
that fails leaving nothing behind."""

import copy
from datetime import timedelta

import pytest

from services.portal.projection import Projection
from shared import dead_letters
from shared.contracts.setup import SetupOutcome, SetupProblem
from shared.contracts.status import StatusCode
from shared.contracts.tasks import TaskEventKind
from tests.support.records import consumer_record
from tests.unit.notifier.events import task_event

from .projection_fakes import ITEM_ID, T0, TOPICS, InMemoryProjectionStore, PortalTables, dossier_item, record, status

CONSUMER = "accordeer-portal"


@pytest.fixture
def tables() -> PortalTables:
    return PortalTables()


@pytest.fixture
def projection(tables) -> Projection:
    return Projection(tables.units_of_work(), TOPICS, CONSUMER)


def task(kind: TaskEventKind, task: str = "Beoordelen aangifte klant", minutes: int = 0, **fields):
    fields.setdefault(
        "assignees", [] if kind in (TaskEventKind.COMPLETED, TaskEventKind.CANCELLED) else ["sanne.vandijk"]
    )
    return task_event(kind, task=task, occurred_at=T0 + timedelta(minutes=minutes), **fields)


async def test_an_item_its_status_and_its_task_become_what_the_pages_read(projection, tables):
    created = task(TaskEventKind.CREATED, actions=["Akkoord", "Afwijzen"], task_manager="kantoor.manager")
    await projection.apply([record(dossier_item()), record(status(StatusCode.IN_WORKFLOW)), record(created)])

    item = tables.items[ITEM_ID]
    assert (item["message_type"], item["organisation_person_id"], item["subject"]) == (
        "btw-aangifte",
        "ORG-10045",
        dossier_item().subject,
    )
    assert (item["status_code"], item["status_at"]) == (30, T0)
    assert (item["workflow"], item["task_manager"], item["last_task"]) == ("Belastingdienst", "kantoor.manager", None)
    held = tables.tasks[ITEM_ID]
    assert (held["task"], held["assignees"], held["actions"]) == (
        created.task,
        ["sanne.vandijk"],
        ["Akkoord", "Afwijzen"],
    )
    assert held["since"] == T0 and held["due_at"] == created.due_at
    assert tables.history_of(ITEM_ID) == [("status", 30), ("task created", created.task)]
    assert tables.history[created.event_id]["text"] == "sanne.vandijk"


async def test_a_status_or_task_before_its_item_makes_the_row_and_the_item_keeps_them(projection, tables):
    await projection.apply([record(status(StatusCode.IN_WORKFLOW)), record(task(TaskEventKind.CREATED))])
    assert tables.items[ITEM_ID]["message_type"] is None
    await projection.apply([record(dossier_item(subject="Btw Q1"))])
    item = tables.items[ITEM_ID]
    assert (item["subject"], item["status_code"], item["workflow"]) == ("Btw Q1", 30, "Belastingdienst")


async def test_a_redelivered_batch_adds_nothing_and_does_not_bring_back_what_came_after_it(projection, tables):
    created = [record(dossier_item()), record(status(StatusCode.IN_WORKFLOW)), record(task(TaskEventKind.CREATED))]
    await projection.apply(created)
    await projection.apply([record(task(TaskEventKind.COMPLETED, minutes=5, actor="sanne.vandijk", action="Akkoord"))])
    before = copy.deepcopy((tables.items, tables.tasks, tables.history))

    await projection.apply(created)  # redelivered: the consumer crashed before its Kafka commit

    assert (tables.items, tables.tasks, tables.history) == before
    assert tables.tasks == {}, "the completed task is not held again"


async def test_an_event_republished_adds_no_second_history_line(projection, tables):
    event = status(StatusCode.IN_WORKFLOW)
    await projection.apply([record(event)])
    await projection.apply([record(event), record(event)])  # a relay republished it, twice, at later offsets
    assert tables.history_of(ITEM_ID) == [("status", 30)]


async def test_bad_items_and_task_events_go_to_their_dead_letter_topics_and_the_rest_applies(projection, tables):
    bad_item = consumer_record(TOPICS.dossier_items, ITEM_ID, b'{"dossier_item_id": "x"}')
    bad_task = consumer_record(TOPICS.tasks, ITEM_ID, b"not json")
    await projection.apply([bad_item, record(dossier_item()), bad_task, record(task(TaskEventKind.CREATED))])

    assert [(r.topic, r.key, r.value) for r in tables.outbox] == [
        ("dossier.items.dlq", ITEM_ID, bad_item.value),
        ("workflow.tasks.dlq", ITEM_ID, b"not json"),
    ]
    headers = dict(tables.outbox[0].headers)
    assert headers[dead_letters.REASON_CODE] == dead_letters.UNREADABLE and headers[dead_letters.REFUSED_BY] == CONSUMER
    assert tables.items[ITEM_ID]["subject"] == dossier_item().subject and ITEM_ID in tables.tasks


async def test_a_bad_status_event_is_skipped_without_a_dead_letter(projection, tables):
    bad = consumer_record(TOPICS.status, "m-1", b'{"message_id": "m-1"}')
    await projection.apply([bad, record(status(StatusCode.IN_WORKFLOW))])
    assert tables.outbox == [] and tables.items[ITEM_ID]["status_code"] == 30


async def test_a_status_event_without_a_dossier_item_is_not_the_portals(projection, tables):
    await projection.apply([record(status(StatusCode.REGISTERED, dossier_item_id=None))])
    assert tables.items == {} and tables.history == {} and tables.outbox == []


async def test_an_older_status_does_not_move_the_item_back_but_joins_its_history(projection, tables):
    await projection.apply([record(status(StatusCode.SENT, minutes=5, detail="verzonden"))])
    await projection.apply([record(status(StatusCode.PREPARED_FOR_SENDING, minutes=1))])  # overtaken on its way

    item = tables.items[ITEM_ID]
    assert (item["status_code"], item["status_detail"], item["status_at"]) == (
        60,
        "verzonden",
        T0 + timedelta(minutes=5),
    )
    assert tables.history_of(ITEM_ID) == [("status", 50), ("status", 60)]
    await projection.apply([record(status(StatusCode.ACCEPTED_BY_AUTHORITY, minutes=9, authority_status_code="500"))])
    assert tables.items[ITEM_ID]["status_code"] == 80
    line = next(h for h in tables.history.values() if h["status_code"] == 80)
    assert (line["authority_status_code"], line["task"], line["comment"]) == ("500", None, "")


async def test_a_task_is_held_until_completed_and_the_item_remembers_the_task_completed_last(projection, tables):
    first, second = "Beoordelen aangifte klant", "Controle fiscalist"
    await projection.apply([record(task(TaskEventKind.CREATED, first))])
    await projection.apply(
        [record(task(TaskEventKind.REASSIGNED, first, 1, assignees=["peter.vandijk", "sanne.vandijk"]))]
    )
    assert tables.tasks[ITEM_ID]["assignees"] == ["peter.vandijk", "sanne.vandijk"]

    done = task(TaskEventKind.COMPLETED, first, 2, actor="peter.vandijk", action="Akkoord", comment="Klopt")
    await projection.apply([record(done)])
    assert ITEM_ID not in tables.tasks and tables.items[ITEM_ID]["last_task"] == first
    line = tables.history[done.event_id]
    assert (line["kind"], line["actor"], line["action"], line["comment"], line["text"]) == (
        "task completed",
        "peter.vandijk",
        "Akkoord",
        "Klopt",
        "",
    )

    await projection.apply([record(task(TaskEventKind.CREATED, second, 3, assignees=["fiscalist"]))])
    await projection.apply([record(task(TaskEventKind.ESCALATED, second, 4, assignees=["kantoor.manager"]))])
    assert (tables.tasks[ITEM_ID]["task"], tables.tasks[ITEM_ID]["assignees"]) == (second, ["kantoor.manager"])
    assert tables.items[ITEM_ID]["last_task"] == first, "a task given to someone is not one completed"

    await projection.apply([record(task(TaskEventKind.CANCELLED, second, 5))])
    assert ITEM_ID not in tables.tasks and tables.items[ITEM_ID]["last_task"] == first, "cancelled is not completed"
    assert [kind for kind, _ in tables.history_of(ITEM_ID)] == [
        "task created",
        "task reassigned",
        "task completed",
        "task created",
        "task escalated",
        "task cancelled",
    ]


async def test_an_action_taken_on_someones_behalf_names_the_operator_in_the_history(projection, tables):
    by_operator = task(TaskEventKind.COMPLETED, actor="sanne.vandijk", action="Goedkeuren", operator="operator.olga")
    in_person = task(TaskEventKind.COMPLETED, "Controle fiscalist", 1, actor="peter.vandijk", action="Akkoord")
    await projection.apply([record(by_operator), record(in_person)])
    assert (tables.history[by_operator.event_id]["actor"], tables.history[by_operator.event_id]["operator"]) == (
        "sanne.vandijk",
        "operator.olga",
    )
    assert tables.history[in_person.event_id]["operator"] is None


async def test_a_batch_that_fails_midway_leaves_nothing_and_is_applied_whole_when_redelivered(
    projection, tables, monkeypatch
):
    bad_item = consumer_record(TOPICS.dossier_items, ITEM_ID, b"not json")
    batch = [
        record(dossier_item()),
        bad_item,
        record(status(StatusCode.IN_WORKFLOW)),
        record(task(TaskEventKind.CREATED)),
    ]

    async def unreachable(self, event) -> None:
        raise ConnectionError("the database went away")

    with monkeypatch.context() as patched:
        patched.setattr(InMemoryProjectionStore, "hold_task", unreachable)
        with pytest.raises(ConnectionError):
            await projection.apply(batch)
    assert (tables.items, tables.tasks, tables.history, tables.outbox, tables.positions) == ({}, {}, {}, [], {})

    await projection.apply(batch)
    assert ITEM_ID in tables.tasks and tables.items[ITEM_ID]["status_code"] == 30
    assert [r.topic for r in tables.outbox] == ["dossier.items.dlq"]


async def test_set_up_outcomes_keep_each_version_and_each_commands_answer_once(projection, tables):
    seeded = SetupOutcome(actor="setup", occurred_at=T0, version=1, files={"routes.yaml": "[]\n"})
    published = SetupOutcome(
        command_id="c-1", writer="portal", actor="fenna", occurred_at=T0, version=2, files={"routes.yaml": "- x\n"}
    )
    refused = SetupOutcome(
        command_id="c-2",
        writer="portal",
        actor="fenna",
        occurred_at=T0,
        problems=[
            SetupProblem(file="workflows/kvk.yaml", workflow="KvK", message="assignee '@x' names an unknown group")
        ],
    )
    bad = consumer_record(TOPICS.setup_outcomes, "setup", b"{}")
    records = [
        consumer_record(TOPICS.setup_outcomes, "setup", o.model_dump_json().encode())
        for o in (seeded, published, refused)
    ]
    await projection.apply([*records, bad])
    await projection.apply([consumer_record(TOPICS.setup_outcomes, "setup", published.model_dump_json().encode())])

    assert sorted(tables.setup_versions) == [1, 2] and tables.setup_versions[2]["published_by"] == "fenna"
    assert tables.setup_outcomes["c-1"]["version"] == 2 and tables.setup_outcomes["c-2"]["version"] is None
    assert tables.setup_outcomes["c-2"]["problems"][0]["workflow"] == "KvK"
    assert [r.topic for r in tables.outbox] == ["workflow.setup.outcomes.dlq"]
