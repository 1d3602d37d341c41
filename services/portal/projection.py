"""The portal's read model: task events, status events and dossier items become rows people's pages read.

One batch is one transaction with the inbox claim, so a record is applied once.
Task events of an item arrive in order (key: dossier item id); status events
are keyed by message id, so an item's status only moves to a later event.
A record of dossier.items or workflow.tasks that is not what its topic carries
goes to that topic's dead-letter topic through the outbox, in the same
transaction.
"""

from collections.abc import Callable, Sequence
from datetime import datetime

import asyncpg
import structlog
from aiokafka import ConsumerRecord
from asyncpg.pool import PoolConnectionProxy
from pydantic import BaseModel

from shared import dead_letters
from shared.contracts.items import DossierItemCreated
from shared.contracts.status import StatusEvent
from shared.contracts.tasks import TaskEvent, TaskEventKind
from shared.db import outbox
from shared.db.inbox import claim_unapplied
from shared.db.outbox import OutboxRecord
from shared.topics import Topics

log = structlog.get_logger(__name__)

SCHEMA = "portal"
HOLDING = (TaskEventKind.CREATED, TaskEventKind.REASSIGNED, TaskEventKind.ESCALATED)


class Projection:
    def __init__(self, pool: Callable[[], asyncpg.Pool], topics: Topics, consumer: str):
        self.pool = pool
        self.models: dict[str, type[BaseModel]] = {
            topics.dossier_items: DossierItemCreated,
            topics.status: StatusEvent,
            topics.tasks: TaskEvent,
        }
        # messages.status is public and has no dead-letter topic: an unreadable status event is logged and skipped.
        self.dead_letter_topics = {topics.dossier_items, topics.tasks}
        self.consumer = consumer

    async def apply(self, records: Sequence[ConsumerRecord]) -> None:
        async with self.pool().acquire() as conn, conn.transaction():
            dead = []
            for record in await claim_unapplied(conn, SCHEMA, self.consumer, records):
                message = dead_letters.read_as(self.models[record.topic], record, refused_by=self.consumer)
                if isinstance(message, OutboxRecord):
                    if record.topic in self.dead_letter_topics:
                        dead.append(message)
                elif isinstance(message, DossierItemCreated):
                    await _item(conn, message)
                elif isinstance(message, StatusEvent) and message.dossier_item_id:
                    await _status(conn, message, message.dossier_item_id)
                elif isinstance(message, TaskEvent):
                    await _task(conn, message)
            await outbox.append(conn, SCHEMA, dead)


async def _item(conn: PoolConnectionProxy, item: DossierItemCreated) -> None:
    await conn.execute(
        "INSERT INTO portal.items (dossier_item_id, message_id, source, message_type, organisation_person_id,"
        " contact_id, subject, confidential, summary, document, attachment)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        " ON CONFLICT (dossier_item_id) DO UPDATE SET message_type = excluded.message_type,"
        " organisation_person_id = excluded.organisation_person_id, contact_id = excluded.contact_id,"
        " subject = excluded.subject, confidential = excluded.confidential, summary = excluded.summary,"
        " document = excluded.document, attachment = excluded.attachment, updated_at = now()",
        item.dossier_item_id,
        item.message_id,
        item.source,
        item.message_type,
        item.organisation_person_id,
        item.contact_id,
        item.subject,
        item.confidential,
        item.summary.model_dump(mode="json") if item.summary else None,
        item.document.model_dump(),
        item.attachment.model_dump(exclude_none=True) if item.attachment else None,
    )


async def _status(conn: PoolConnectionProxy, event: StatusEvent, item_id: str) -> None:
    """``item_id``: the event's dossier item (a status event without one is not the portal's)."""
    await conn.execute(
        "INSERT INTO portal.items AS i (dossier_item_id, message_id, source, status_code, status_detail, status_at)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (dossier_item_id) DO UPDATE SET"
        " status_code = excluded.status_code, status_detail = excluded.status_detail, status_at = excluded.status_at"
        " WHERE i.status_at IS NULL OR i.status_at <= excluded.status_at",
        item_id,
        event.message_id,
        event.source,
        int(event.status_code),
        event.detail,
        event.occurred_at,
    )
    await _history(
        conn,
        event.event_id,
        item_id,
        event.occurred_at,
        "status",
        status_code=int(event.status_code),
        authority_status_code=event.authority_status_code,
        text=event.detail,
    )


async def _task(conn: PoolConnectionProxy, event: TaskEvent) -> None:
    if event.kind in HOLDING:
        await conn.execute(
            "INSERT INTO portal.tasks (dossier_item_id, workflow, task, assignees, actions, assignment_note,"
            " task_manager, due_at, since) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            " ON CONFLICT (dossier_item_id) DO UPDATE SET workflow = excluded.workflow, task = excluded.task,"
            " assignees = excluded.assignees, actions = excluded.actions, assignment_note = excluded.assignment_note,"
            " task_manager = excluded.task_manager, due_at = excluded.due_at, since = excluded.since",
            event.dossier_item_id,
            event.workflow,
            event.task,
            event.assignees,
            event.actions,
            event.assignment_note,
            event.task_manager,
            event.due_at,
            event.occurred_at,
        )
    else:
        await conn.execute(
            "DELETE FROM portal.tasks WHERE dossier_item_id = $1 AND task = $2", event.dossier_item_id, event.task
        )
    completed = event.kind is TaskEventKind.COMPLETED
    await conn.execute(
        "INSERT INTO portal.items AS i (dossier_item_id, message_id, source, workflow, task_manager, last_task)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (dossier_item_id) DO UPDATE SET workflow = excluded.workflow,"
        " task_manager = excluded.task_manager, last_task = coalesce(excluded.last_task, i.last_task)",
        event.dossier_item_id,
        event.message_id,
        event.source,
        event.workflow,
        event.task_manager,
        event.task if completed else None,
    )
    await _history(
        conn,
        event.event_id,
        event.dossier_item_id,
        event.occurred_at,
        f"task {event.kind}",
        task=event.task,
        actor=event.actor,
        action=event.action,
        comment=event.comment,
        text=", ".join(event.assignees) if event.kind in HOLDING else "",
    )


async def _history(
    conn: PoolConnectionProxy, event_id: str, item_id: str, at: datetime, kind: str, **fields: object
) -> None:
    columns = ["event_id", "dossier_item_id", "at", "kind", *fields]
    values = [event_id, item_id, at, kind, *fields.values()]
    placeholders = ", ".join(f"${n}" for n in range(1, len(values) + 1))
    await conn.execute(
        f"INSERT INTO portal.history ({', '.join(columns)}) VALUES ({placeholders}) ON CONFLICT (event_id) DO NOTHING",
        *values,
    )
