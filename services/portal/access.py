"""Who sees which dossier item and may take which action: pure rules, checked on the server for every request.

A client sees the items of their own organisations/persons (the directory's
contacts with their portal user); the office, task managers and operators see
every item. A confidential item is seen only by those who hold its task and by
task managers. Only the holders of a task may take its actions.
"""

from dataclasses import dataclass
from datetime import datetime

COMMENT_REQUIRED = ("Afkeuren bericht", "Reageren")
"""Rejecting and reacting need a reason the other side can read."""


@dataclass(frozen=True)
class Viewer:
    user: str
    role: str
    organisations: frozenset[str] = frozenset()
    """For a client: the organisations/persons they are a contact of."""


@dataclass(frozen=True)
class OpenTask:
    task: str
    workflow: str
    assignees: tuple[str, ...]
    actions: tuple[str, ...]
    due_at: datetime | None
    assignment_note: str = ""


@dataclass(frozen=True)
class ItemView:
    dossier_item_id: str
    message_id: str
    message_type: str | None
    organisation_person_id: str | None
    subject: str | None
    confidential: bool
    status_code: int | None
    status_detail: str
    summary: dict | None
    task: OpenTask | None


def holds(viewer: Viewer, item: ItemView) -> bool:
    return item.task is not None and viewer.user in item.task.assignees


def may_see(viewer: Viewer, item: ItemView) -> bool:
    if item.confidential:
        return holds(viewer, item) or viewer.role == "task_manager"
    if viewer.role == "client":
        return holds(viewer, item) or item.organisation_person_id in viewer.organisations
    return True


def actions_for(viewer: Viewer, item: ItemView) -> tuple[str, ...]:
    return item.task.actions if item.task is not None and holds(viewer, item) else ()


def refuse_action(viewer: Viewer, item: ItemView, action: str, comment: str) -> str | None:
    """Why this action cannot be sent now (a sentence for the person), or None."""
    if action not in actions_for(viewer, item):
        return "Deze actie kunt u nu niet uitvoeren op deze taak."
    if action in COMMENT_REQUIRED and not comment.strip():
        return f"Geef bij '{action}' een toelichting."
    return None
