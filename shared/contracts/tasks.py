"""Task events on ``workflow.tasks``: each task's life, for inboxes, notifications and offices' tools.

Key: dossier item id, so one item's events stay in order. A consumer builds an
inbox from these alone, without reading workflow's tables: ``created`` and
``reassigned`` say who holds the task now, ``completed``, ``escalated`` and
``cancelled`` end or move it.
"""

import json
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import cast
from uuid import NAMESPACE_URL, uuid5

from pydantic import Field

from shared.contracts.record import Record
from shared.contracts.summary import DeclarationSummary


class TaskEventKind(StrEnum):
    CREATED = "created"
    """The item entered the task; ``assignees`` hold it (after a restore too)."""
    REASSIGNED = "reassigned"
    """The task manager gave the task to others; ``assignees`` hold it from now on."""
    COMPLETED = "completed"
    """Someone took an action on it (``actor``, ``action``, ``comment``); the next task, if any, has its own event."""
    ESCALATED = "escalated"
    """Its deadline passed; ``assignees`` (the task manager) hold it from now on."""
    CANCELLED = "cancelled"
    """The task ended without an action on it. Reserved: no path of the product ends a task that way yet (every
    task ends by an action, or moves by reassignment or escalation); consumers should handle it as ended."""


class TaskEvent(Record):
    """One change in one task of one dossier item."""

    schema_version: int = 1
    event_id: str = Field(description="Unique per event; a consumer that sees it twice drops the second.")
    kind: TaskEventKind
    dossier_item_id: str
    message_id: str
    source: str
    message_type: str
    organisation_person_id: str
    workflow: str
    task: str
    assignees: list[str] = Field(default_factory=list, description="User ids holding the task after this event.")
    added: list[str] = Field(
        default_factory=list,
        description=(
            "Of the assignees, those who did not hold the task before this event (for created: all of them); "
            "whom to notify."
        ),
    )
    actions: list[str] = Field(
        default_factory=list,
        description=(
            "The actions the holders may take on the task (created, reassigned, escalated), as the workflow defines "
            "them; the task manager may also intervene."
        ),
    )
    assignment_note: str = Field(
        "",
        description="Why the assignees are who they are, when not as configured "
        "(e.g. no contact of the destination has a portal user).",
    )
    due_at: datetime | None = None
    task_manager: str | None = Field(
        None,
        description=(
            "The workflow's task manager: may act on the task, reassign it, and restore the item once rejected."
        ),
    )
    actor: str | None = Field(
        None,
        description=(
            "Who acted: on completed, who completed the task; on created and reassigned, whose action opened it."
        ),
    )
    operator: str | None = Field(
        None,
        description=(
            "Who took the action on the actor's behalf: an operator (`accordeer act --as ACTOR`), as the Kafka "
            "principal that wrote it; None when the actor acted in person."
        ),
    )
    action: str | None = None
    comment: str = ""
    subject: str
    confidential: bool = False
    summary: DeclarationSummary | None = None
    occurred_at: datetime

    @classmethod
    def of(
        cls,
        kind: TaskEventKind,
        *,
        dossier_item_id: str,
        task: str,
        occurred_at: datetime,
        cause: str | None = None,
        **fields: object,
    ) -> "TaskEvent":
        """A task event whose id is derived, so re-emitting the same change yields the same id; ``cause`` as for
        ``StatusEvent.of``: given, the id comes from it instead of the time."""
        # ``assignees``, when given, is the model's list of user names (``cls(...)`` below validates it).
        assignees = cast("Iterable[str]", fields.get("assignees") or [])
        identity = [
            dossier_item_id,
            task,
            str(kind),
            occurred_at.isoformat() if cause is None else f"cause {cause}",
            fields.get("actor"),
            fields.get("action"),
            sorted(assignees),
        ]
        event_id = str(uuid5(NAMESPACE_URL, "task:" + json.dumps(identity)))
        return cls(
            event_id=event_id, kind=kind, dossier_item_id=dossier_item_id, task=task, occurred_at=occurred_at, **fields
        )
