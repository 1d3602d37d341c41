"""The portal's read model in memory, behind the same unit of work as PostgreSQL: for fast tests of the projection.

Rows are dicts of their columns, as ``deploy/migrations/0007_portal.sql`` and later ones make them (``updated_at``
left out: no page orders by it). What the tables themselves enforce is enforced here too: dossier item ids are
UUIDs, a history line names only columns the table has and leaves no NOT NULL one empty.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import ConsumerRecord
from pydantic import BaseModel

from services.portal.projection_store import HistoryEntry
from shared.contracts.items import DossierItemCreated
from shared.contracts.setup import SetupOutcome
from shared.contracts.status import StatusCode, StatusEvent
from shared.contracts.tasks import TaskEvent
from shared.topics import Topics
from tests.support.declarations import example
from tests.support.records import consumer_record
from tests.support.unit_of_work import InMemoryUnitOfWork, Tables

TOPICS = Topics()
T0 = datetime(2025, 4, 1, 8, 0, tzinfo=UTC)
ITEM_ID = "6f1c0a52-3b0e-4a55-9d4e-2f5b1c7a9e10"
"""The dossier item of ``tests.unit.notifier.events.task_event``."""

Row = dict[str, Any]
ITEM_DEFAULTS: Row = {
    "message_type": None,
    "organisation_person_id": None,
    "contact_id": None,
    "subject": None,
    "confidential": False,
    "summary": None,
    "document": None,
    "attachment": None,
    "status_code": None,
    "status_detail": "",
    "status_at": None,
    "workflow": None,
    "task_manager": None,
    "last_task": None,
}
HISTORY_DEFAULTS: Row = {
    "status_code": None,
    "authority_status_code": None,
    "task": None,
    "actor": None,
    "operator": None,
    "action": None,
    "text": "",
    "comment": "",
}


@dataclass
class PortalTables(Tables):
    items: dict[str, Row] = field(default_factory=dict)
    tasks: dict[str, Row] = field(default_factory=dict)
    history: dict[str, Row] = field(default_factory=dict)
    setup_versions: dict[int, Row] = field(default_factory=dict)
    setup_outcomes: dict[str, Row] = field(default_factory=dict)

    def units_of_work(self):
        return lambda: InMemoryUnitOfWork(self, InMemoryProjectionStore)

    def history_of(self, item_id: str) -> list[tuple[str, int | str | None]]:
        """The item's history as (kind, status code or task), in the order it happened."""
        lines = sorted((h for h in self.history.values() if h["dossier_item_id"] == item_id), key=lambda h: h["at"])
        return [(h["kind"], h["status_code"] if h["kind"] == "status" else h["task"]) for h in lines]


class InMemoryProjectionStore:
    """What ``PostgresProjectionStore`` does, on ``PortalTables``."""

    def __init__(self, tables: PortalTables):
        self.tables = tables

    async def add_item(self, item: DossierItemCreated) -> None:
        what = {
            "message_type": item.message_type,
            "organisation_person_id": item.organisation_person_id,
            "contact_id": item.contact_id,
            "subject": item.subject,
            "confidential": item.confidential,
            "summary": item.summary.model_dump(mode="json") if item.summary else None,
            "document": item.document.model_dump(),
            "attachment": item.attachment.model_dump(exclude_none=True) if item.attachment else None,
        }
        key = _uuid(item.dossier_item_id)
        if key in self.tables.items:
            self.tables.items[key].update(what)
        else:
            self.tables.items[key] = self._new_item(key, item.message_id, item.source) | what

    async def move_statuses(self, moves: Sequence[tuple[StatusEvent, str]]) -> None:
        for event, item_id in moves:
            key = _uuid(item_id)
            row = self.tables.items.setdefault(key, self._new_item(key, event.message_id, event.source))
            if row["status_at"] is None or row["status_at"] <= event.occurred_at:
                row |= {
                    "status_code": int(event.status_code),
                    "status_detail": event.detail,
                    "status_at": event.occurred_at,
                }

    async def hold_task(self, event: TaskEvent) -> None:
        self.tables.tasks[_uuid(event.dossier_item_id)] = {
            "workflow": event.workflow,
            "task": event.task,
            "assignees": list(event.assignees),
            "actions": list(event.actions),
            "assignment_note": event.assignment_note,
            "task_manager": event.task_manager,
            "due_at": event.due_at,
            "since": event.occurred_at,
        }

    async def drop_task(self, item_id: str, task: str) -> None:
        key = _uuid(item_id)
        if key in self.tables.tasks and self.tables.tasks[key]["task"] == task:
            del self.tables.tasks[key]

    async def note_workflow(self, event: TaskEvent, last_task: str | None) -> None:
        key = _uuid(event.dossier_item_id)
        row = self.tables.items.setdefault(key, self._new_item(key, event.message_id, event.source))
        row |= {"workflow": event.workflow, "task_manager": event.task_manager}
        if last_task is not None:
            row["last_task"] = last_task

    async def add_history(self, entries: Sequence[HistoryEntry]) -> None:
        for entry in entries:
            unknown = entry.details.keys() - HISTORY_DEFAULTS.keys()
            assert not unknown, f"portal.history has no column {unknown}"
            line = HISTORY_DEFAULTS | {
                "dossier_item_id": _uuid(entry.dossier_item_id),
                "at": entry.at,
                "kind": entry.kind,
            }
            line |= entry.details
            assert line["text"] is not None and line["comment"] is not None, "text and comment are NOT NULL"
            self.tables.history.setdefault(entry.event_id, line)

    async def add_setup_outcome(self, outcome: SetupOutcome) -> None:
        if outcome.version is not None:
            self.tables.setup_versions.setdefault(
                outcome.version,
                {
                    "published_by": outcome.actor,
                    "writer": outcome.writer,
                    "published_at": outcome.occurred_at,
                    "routed": outcome.routed,
                    "files": dict(outcome.files),
                },
            )
        if outcome.command_id is not None:
            self.tables.setup_outcomes.setdefault(
                outcome.command_id,
                {
                    "decided_at": outcome.occurred_at,
                    "version": outcome.version,
                    "superseded_by": outcome.superseded_by,
                    "problems": [p.model_dump() for p in outcome.problems],
                },
            )

    @staticmethod
    def _new_item(key: str, message_id: str, source: str) -> Row:
        return {"dossier_item_id": key, "message_id": message_id, "source": source} | ITEM_DEFAULTS


def _uuid(item_id: str) -> str:
    """As a uuid column takes it (anything else fails the statement, and so the batch)."""
    return str(uuid.UUID(item_id))


def dossier_item(item_id: str = ITEM_ID, **fields) -> DossierItemCreated:
    golden = example("btw_aangifte")
    values = {
        "dossier_item_id": item_id,
        "message_id": "m-1",
        "source": "afas-fin",
        "message_type": "btw-aangifte",
        "submitter": "m.devries",
        "submitted_at": T0 - timedelta(hours=1),
        "subject": golden["subject"],
        "organisation_person_id": "ORG-10045",
        "identity": golden["identity"],
        "document": golden["document"],
    }
    return DossierItemCreated(**(values | fields))


def status(code: StatusCode, minutes: int = 0, **fields) -> StatusEvent:
    fields.setdefault("dossier_item_id", ITEM_ID)
    return StatusEvent.of(
        code, message_id="m-1", source="afas-fin", occurred_at=T0 + timedelta(minutes=minutes), **fields
    )


def record(event: BaseModel) -> ConsumerRecord:
    """The event as the projection receives it, on its topic, at a fresh offset."""
    if isinstance(event, DossierItemCreated):
        return consumer_record(TOPICS.dossier_items, event.dossier_item_id, event.model_dump_json().encode())
    if isinstance(event, TaskEvent):
        return consumer_record(TOPICS.tasks, event.dossier_item_id, event.model_dump_json().encode())
    assert isinstance(event, StatusEvent)
    return consumer_record(TOPICS.status, event.message_id, event.model_dump_json().encode())
