"""The portal's read model: task events, status events and dossier items become rows people's pages read; set-up
outcomes become the versions and answers the set-up pages read.

A batch is applied in one unit of work with the inbox claim, so a record is applied once.
Task events of an item arrive in order (key: dossier item id); status events
are keyed by message id, so an item's status only moves to a later event.
A record of dossier.items or workflow.tasks that is not what its topic carries
goes to that topic's dead-letter topic through the outbox, in the same
transaction.
"""

from collections.abc import Callable, Sequence

from aiokafka import ConsumerRecord
from pydantic import BaseModel

from services.portal.projection_store import HistoryEntry, ProjectionStore
from shared import dead_letters
from shared.contracts.items import DossierItemCreated
from shared.contracts.setup import SetupOutcome
from shared.contracts.status import StatusEvent
from shared.contracts.tasks import TaskEvent, TaskEventKind
from shared.db.outbox import OutboxRecord
from shared.db.unit_of_work import UnitOfWork
from shared.topics import Topics

HOLDING = (TaskEventKind.CREATED, TaskEventKind.REASSIGNED, TaskEventKind.ESCALATED)
"""The task events after which someone holds the task; after the others (completed, cancelled) nobody does."""


class Projection:
    def __init__(self, unit_of_work: Callable[[], UnitOfWork[ProjectionStore]], topics: Topics, consumer: str):
        self.unit_of_work = unit_of_work
        self.models: dict[str, type[BaseModel]] = {
            topics.dossier_items: DossierItemCreated,
            topics.status: StatusEvent,
            topics.tasks: TaskEvent,
            topics.setup_outcomes: SetupOutcome,
        }
        # messages.status is public and has no dead-letter topic: an unreadable status event is logged and skipped.
        self.dead_letter_topics = {topics.dossier_items, topics.tasks, topics.setup_outcomes}
        self.consumer = consumer

    async def apply(self, records: Sequence[ConsumerRecord]) -> None:
        # Status moves and history lines are written once per batch, a statement each: a batch of status events
        # costs two round trips, not two per event. Their rows commute with the rest of the batch's (an item's
        # status columns are only the status events'; a history line is keyed by its event).
        moves: list[tuple[StatusEvent, str]] = []
        history: list[HistoryEntry] = []
        async with self.unit_of_work() as uow:
            for record in await uow.claim(records):
                message = dead_letters.read_as(self.models[record.topic], record, refused_by=self.consumer)
                if isinstance(message, OutboxRecord):
                    if record.topic in self.dead_letter_topics:
                        uow.publish([message])
                elif isinstance(message, DossierItemCreated):
                    await uow.repository.add_item(message)
                elif isinstance(message, StatusEvent) and message.dossier_item_id:
                    moves.append((message, message.dossier_item_id))
                    history.append(_status_line(message, message.dossier_item_id))
                elif isinstance(message, TaskEvent):
                    await _task(uow.repository, message)
                    history.append(_task_line(message))
                elif isinstance(message, SetupOutcome):
                    await uow.repository.add_setup_outcome(message)
            await uow.repository.move_statuses(moves)
            await uow.repository.add_history(history)


def _status_line(event: StatusEvent, item_id: str) -> HistoryEntry:
    """``item_id``: the event's dossier item (a status event without one is not the portal's)."""
    return HistoryEntry(
        event.event_id,
        item_id,
        event.occurred_at,
        "status",
        {
            "status_code": int(event.status_code),
            "authority_status_code": event.authority_status_code,
            "text": event.detail,
        },
    )


async def _task(store: ProjectionStore, event: TaskEvent) -> None:
    if event.kind in HOLDING:
        await store.hold_task(event)
    else:
        await store.drop_task(event.dossier_item_id, event.task)
    # The task last completed is where a rejected item is restored to.
    await store.note_workflow(event, last_task=event.task if event.kind is TaskEventKind.COMPLETED else None)


def _task_line(event: TaskEvent) -> HistoryEntry:
    return HistoryEntry(
        event.event_id,
        event.dossier_item_id,
        event.occurred_at,
        f"task {event.kind}",
        {
            "task": event.task,
            "actor": event.actor,
            "operator": event.operator,
            "action": event.action,
            "comment": event.comment,
            "text": ", ".join(event.assignees) if event.kind in HOLDING else "",
        },
    )
