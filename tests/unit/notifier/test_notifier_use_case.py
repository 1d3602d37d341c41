"""The notifier taking a batch of task events: one mail per event and recipient however often the batch comes, at
the address of the right person, a record that is no task event dead-lettered, and what it reports (the figures,
the log, the sender's wake-up) only for what a committed batch added."""

import pytest
import structlog.testing
from prometheus_client import REGISTRY

from services.notifier.recipients import Recipient
from services.notifier.use_cases import Notifier
from shared import dead_letters
from shared.contracts.directory import Contact
from shared.contracts.tasks import TaskEventKind
from tests.support.parties import BAKKERIJ, GROOTHANDEL, VASTGOED
from tests.support.records import consumer_record

from .events import composer, task_event
from .fakes import TOPICS, InMemoryNotifierRepository, NotifierTables, record

CONSUMER = "accordeer-notifier"
FENNA = Recipient("fiscalist", "Fenna Smit", "fenna.smit@kantoor.example")
SANNE = "sanne@bakkerijvandijk.example"


@pytest.fixture
def tables() -> NotifierTables:
    return NotifierTables(parties={p.organisation_person_id: p for p in (BAKKERIJ, VASTGOED, GROOTHANDEL)})


@pytest.fixture
def wakes() -> list[None]:
    """One entry per time the sender was woken."""
    return []


@pytest.fixture
def notifier(tables, wakes) -> Notifier:
    return Notifier(
        tables.units_of_work(),
        CONSUMER,
        composer=composer(),
        office={FENNA.user_id: FENNA},
        on_new_mails=lambda: wakes.append(None),
    )


def figure(name: str) -> float:
    return REGISTRY.get_sample_value(f"accordeer_notifier_{name}_total") or 0.0


def applied(logged: list[dict]) -> list[tuple[int, int, int]]:
    """(records, mails, already stored) of each batch's log line."""
    return [(e["records"], e["mails"], e["already_stored"]) for e in logged if e["event"] == "task events applied"]


async def test_each_assignee_given_a_task_gets_one_mail_at_their_own_address(notifier, tables, wakes):
    created = task_event(assignees=["sanne.vandijk", "fiscalist"])
    escalated = task_event(TaskEventKind.ESCALATED, assignees=["fiscalist"])
    completed = task_event(TaskEventKind.COMPLETED, assignees=[], actor="sanne.vandijk", action="Akkoord")

    await notifier.take_tasks([record(created), record(escalated), record(completed)])

    assert tables.mailed() == [
        (created.event_id, "sanne.vandijk", SANNE),
        (created.event_id, "fiscalist", FENNA.email),
        (escalated.event_id, "fiscalist", FENNA.email),
    ]
    assert len(wakes) == 1 and tables.outbox == []


async def test_a_batch_redelivered_or_an_event_republished_adds_no_mail_and_wakes_nobody(notifier, tables, wakes):
    event = task_event(assignees=["sanne.vandijk", "fiscalist"])
    batch = [record(event)]
    queued = figure("mails_queued")

    with structlog.testing.capture_logs() as logged:
        await notifier.take_tasks(batch)
        await notifier.take_tasks(batch)  # redelivered after a crash before the Kafka commit
        await notifier.take_tasks([record(event)])  # republished by workflow's relay: past the inbox, the rows refuse

    assert [(e, r) for e, r, _ in tables.mailed()] == [(event.event_id, "sanne.vandijk"), (event.event_id, "fiscalist")]
    assert len(wakes) == 1 and figure("mails_queued") == queued + 2
    assert applied(logged) == [(1, 2, 0), (1, 0, 2)]


async def test_an_assignee_nobody_can_mail_is_counted_and_logged_and_the_others_get_theirs(notifier, tables, wakes):
    event = task_event(assignees=["sanne.vandijk", "spook"])
    unknown = figure("unknown_recipients")

    with structlog.testing.capture_logs() as logged:
        await notifier.take_tasks([record(event)])

    assert tables.mailed() == [(event.event_id, "sanne.vandijk", SANNE)] and len(wakes) == 1
    assert figure("unknown_recipients") == unknown + 1
    [warning] = [e for e in logged if e["log_level"] == "warning"]
    assert (warning["user"], warning["event_id"], warning["task"]) == ("spook", event.event_id, event.task)


async def test_the_sender_is_woken_only_when_a_mail_was_added(notifier, tables, wakes):
    completed = task_event(TaskEventKind.COMPLETED, assignees=[], actor="sanne.vandijk", action="Akkoord")
    await notifier.take_tasks([record(completed), record(task_event(assignees=["spook"]))])
    assert tables.mailed() == [] and wakes == []


async def test_everyones_directory_is_read_only_for_an_assignee_found_nowhere_else(notifier, tables):
    await notifier.take_tasks([record(task_event(assignees=["sanne.vandijk", "fiscalist"]))])
    await notifier.take_tasks([record(task_event(TaskEventKind.COMPLETED, assignees=[], actor="fiscalist"))])
    assert tables.everyone_read == 0

    # Another client's contact, holding a task of Bakkerij Van Dijk's item (as a consultant might).
    event = task_event(TaskEventKind.REASSIGNED, assignees=["ruud.hendriks"])
    await notifier.take_tasks([record(event)])
    assert tables.everyone_read == 1
    assert tables.mailed()[-1] == (event.event_id, "ruud.hendriks", "ruud@vandijkvastgoed.example")


async def test_an_office_user_goes_before_a_client_and_the_items_client_before_other_clients(notifier, tables):
    def contact(portal_user: str, email: str) -> Contact:
        return Contact(contact_id=f"CP-{portal_user}", name=portal_user, email=email, portal_user=portal_user)

    # A client whose contact logs in as the office's user, and another client with a contact logging in as Sanne.
    tables.parties[BAKKERIJ.organisation_person_id] = BAKKERIJ.model_copy(
        update={"contacts": [*BAKKERIJ.contacts, contact("fiscalist", "fiscalist@bakkerijvandijk.example")]}
    )
    tables.parties[GROOTHANDEL.organisation_person_id] = GROOTHANDEL.model_copy(
        update={"contacts": [contact("sanne.vandijk", "sanne@groothandeljansen.example")]}
    )
    event = task_event(assignees=["fiscalist", "sanne.vandijk", "eva.jansen"])  # eva: everyone's directory is read

    await notifier.take_tasks([record(event)])

    assert tables.everyone_read == 1
    assert {r: a for _, r, a in tables.mailed()} == {"fiscalist": FENNA.email, "sanne.vandijk": SANNE}


async def test_a_record_that_is_no_task_event_goes_to_the_dead_letter_topic_with_the_batch(notifier, tables):
    bad = consumer_record(TOPICS.tasks, "item-9", b'{"kind": "created"}')
    event = task_event(assignees=["sanne.vandijk"])
    await notifier.take_tasks([bad, record(event)])

    assert [(r.topic, r.key, r.value) for r in tables.outbox] == [("workflow.tasks.dlq", "item-9", bad.value)]
    headers = dict(tables.outbox[0].headers)
    assert headers[dead_letters.REASON_CODE] == dead_letters.UNREADABLE and headers[dead_letters.REFUSED_BY] == CONSUMER
    assert tables.mailed() == [(event.event_id, "sanne.vandijk", SANNE)]


async def test_a_batch_that_fails_stores_and_reports_nothing_and_is_taken_whole_when_redelivered(
    notifier, tables, wakes, monkeypatch
):
    bad = consumer_record(TOPICS.tasks, "item-9", b"not json")
    batch = [bad, record(task_event(assignees=["sanne.vandijk", "spook"]))]
    queued, unknown = figure("mails_queued"), figure("unknown_recipients")

    async def unreachable(self, mails) -> int:
        raise ConnectionError("the database went away")

    with structlog.testing.capture_logs() as logged, monkeypatch.context() as patched:
        patched.setattr(InMemoryNotifierRepository, "add_mails", unreachable)
        with pytest.raises(ConnectionError):
            await notifier.take_tasks(batch)

    assert (tables.mails, tables.outbox, tables.positions, wakes) == ([], [], {}, [])
    assert (figure("mails_queued"), figure("unknown_recipients")) == (queued, unknown)
    assert applied(logged) == [] and not [e for e in logged if e["log_level"] == "warning"]

    await notifier.take_tasks(batch)
    assert len(tables.mails) == 1 and [r.topic for r in tables.outbox] == ["workflow.tasks.dlq"] and len(wakes) == 1
    assert (figure("mails_queued"), figure("unknown_recipients")) == (queued + 1, unknown + 1)
