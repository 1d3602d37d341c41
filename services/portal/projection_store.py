"""The portal's read model in PostgreSQL (schema ``portal``), as the projection writes it: items, their current
tasks and their history.

Every method runs on the connection of the projection's unit of work, inside its transaction. What the rows say
is decided by the projection (``projection.py``); the rules kept here are the tables' own: an item row is made by
whichever of its events comes first, its status only moves to a later event's, and a history line is stored once
per event.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from shared.contracts.items import DossierItemCreated
from shared.contracts.setup import SetupOutcome
from shared.contracts.status import StatusEvent
from shared.contracts.tasks import TaskEvent
from shared.db.pool import Connection
from shared.db.rows import insert_rows

SCHEMA = "portal"
STATUS_COLUMNS = {
    "dossier_item_id": "uuid",
    "message_id": "text",
    "source": "text",
    "status_code": "int",
    "status_detail": "text",
    "status_at": "timestamptz",
}
"""What a status event makes of an item's row (the item made when unknown)."""
HISTORY_COLUMNS = {
    "event_id": "text",
    "dossier_item_id": "uuid",
    "at": "timestamptz",
    "kind": "text",
    "status_code": "int",
    "authority_status_code": "text",
    "task": "text",
    "actor": "text",
    "operator": "text",
    "action": "text",
    "text": "text",
    "comment": "text",
}
DETAILS = list(HISTORY_COLUMNS)[4:]
"""The columns a history line's ``details`` may fill."""
NOT_NULL_DETAILS = {"text": "", "comment": ""}
"""The NOT NULL details' value when a line's kind has none (the others are NULL)."""


@dataclass(frozen=True)
class HistoryEntry:
    """One line of an item's history; ``details`` fills the columns its kind has (the others keep their defaults:
    NULL, or '' for ``text`` and ``comment``)."""

    event_id: str
    dossier_item_id: str
    at: datetime
    kind: str
    details: Mapping[str, object]


class ProjectionStore(Protocol):
    async def add_item(self, item: DossierItemCreated) -> None:
        """The item, or (when its status or a task came first) what it is: its status and workflow stay."""
        ...

    async def move_statuses(self, moves: Sequence[tuple[StatusEvent, str]]) -> None:
        """Each (event, its item), in order: the item (made when unknown) takes the event's status, unless it holds
        one that occurred later."""
        ...

    async def hold_task(self, event: TaskEvent) -> None:
        """The event's task, holders, actions and due time become the item's current task."""
        ...

    async def drop_task(self, item_id: str, task: str) -> None:
        """The item holds that task no more; another task it holds by now stays."""
        ...

    async def note_workflow(self, event: TaskEvent, last_task: str | None) -> None:
        """The item (made when unknown) runs the event's workflow under its task manager; ``last_task``, when
        given, is the task it completed last (otherwise that stays)."""
        ...

    async def add_history(self, entries: Sequence[HistoryEntry]) -> None:
        """Each entry joins its item's history, unless its event's is there already."""
        ...

    async def add_setup_outcome(self, outcome: SetupOutcome) -> None:
        """A version published (with its files) and, for a command, its outcome; each kept once."""
        ...


class PostgresProjectionStore:
    def __init__(self, conn: Connection):
        self.conn = conn

    async def add_item(self, item: DossierItemCreated) -> None:
        await self.conn.execute(
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

    async def move_statuses(self, moves: Sequence[tuple[StatusEvent, str]]) -> None:
        # One row per item, its latest event (the last of equal times, as one by one would leave it): a statement
        # may not update a row twice.
        latest: dict[UUID, StatusEvent] = {}
        for event, item_id in moves:
            key = UUID(item_id)
            if key not in latest or latest[key].occurred_at <= event.occurred_at:
                latest[key] = event
        await insert_rows(
            self.conn,
            "portal.items",
            STATUS_COLUMNS,
            [(item, e.message_id, e.source, int(e.status_code), e.detail, e.occurred_at) for item, e in latest.items()],
            on_conflict="ON CONFLICT (dossier_item_id) DO UPDATE SET status_code = excluded.status_code,"
            " status_detail = excluded.status_detail, status_at = excluded.status_at"
            " WHERE portal.items.status_at IS NULL OR portal.items.status_at <= excluded.status_at",
        )

    async def hold_task(self, event: TaskEvent) -> None:
        await self.conn.execute(
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

    async def drop_task(self, item_id: str, task: str) -> None:
        await self.conn.execute("DELETE FROM portal.tasks WHERE dossier_item_id = $1 AND task = $2", item_id, task)

    async def note_workflow(self, event: TaskEvent, last_task: str | None) -> None:
        await self.conn.execute(
            "INSERT INTO portal.items AS i (dossier_item_id, message_id, source, workflow, task_manager, last_task)"
            " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (dossier_item_id) DO UPDATE SET"
            " workflow = excluded.workflow, task_manager = excluded.task_manager,"
            " last_task = coalesce(excluded.last_task, i.last_task)",
            event.dossier_item_id,
            event.message_id,
            event.source,
            event.workflow,
            event.task_manager,
            last_task,
        )

    async def add_history(self, entries: Sequence[HistoryEntry]) -> None:
        rows = [
            [e.event_id, e.dossier_item_id, e.at, e.kind] + [e.details.get(c, NOT_NULL_DETAILS.get(c)) for c in DETAILS]
            for e in entries
        ]
        await insert_rows(
            self.conn, "portal.history", HISTORY_COLUMNS, rows, on_conflict="ON CONFLICT (event_id) DO NOTHING"
        )

    async def add_setup_outcome(self, outcome: SetupOutcome) -> None:
        if outcome.version is not None:
            await self.conn.execute(
                "INSERT INTO portal.setup_versions (version, published_by, writer, published_at, routed, files)"
                " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (version) DO NOTHING",
                outcome.version,
                outcome.actor,
                outcome.writer,
                outcome.occurred_at,
                outcome.routed,
                outcome.files,
            )
        if outcome.command_id is not None:
            await self.conn.execute(
                "INSERT INTO portal.setup_outcomes (command_id, decided_at, version, superseded_by, problems)"
                " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (command_id) DO NOTHING",
                outcome.command_id,
                outcome.occurred_at,
                outcome.version,
                outcome.superseded_by,
                [p.model_dump(mode="json") for p in outcome.problems],
            )
