"""Who sees which dossier item and may take which action: pure rules, checked on the server for every request.

A client sees the items of their own organisations/persons (the directory's
contacts with their portal user); the office, task managers and operators see
every item. A confidential item is seen only by those who hold its task and by
its workflow's task manager. Whoever acted on an item (approved, rejected, reacted) keeps seeing it, so
what they decided stays findable under Afgehandeld. The holders of a task may take its actions; the
task manager may too, and may reassign the task and restore a rejected item.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from services.portal.i18n import N_

REACTION = "Reageren"
"""A client's question or remark: the item goes to the office, whose answer goes back to the client."""
COMMENT_REQUIRED = ("Afkeuren bericht", REACTION)
"""Rejecting and reacting need a reason the other side can read."""
CONFIRMED = ("Goedkeuren bericht",)
"""Approving moves a declaration towards filing: the person first confirms the statement below."""
STATEMENT = N_("Ik verklaar dat ik deze aangifte heb gecontroleerd en dat zij juist en volledig is.")
"""What approving states, shown (in the person's language) and kept word for word in the audit trail."""
REASSIGN = "Taak toewijzen"
RESTORE = "Herstellen berichtstatus"
REJECTED = 40


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
    summary: Mapping[str, object] | None
    task: OpenTask | None
    workflow: str | None = None
    task_manager: str | None = None
    last_task: str | None = None
    """The task last completed: where a rejected item is restored to."""
    client_name: str | None = None
    """The client's name in the directory."""

    @property
    def client(self) -> str:
        return client_label(self.client_name, self.organisation_person_id)


def client_label(client_name: str | None, organisation_person_id: str | None) -> str:
    """Who an item is for, as a person reads it: the directory's name, else the id."""
    return client_name or organisation_person_id or ""


def client_choices(clients: Iterable[tuple[str | None, str]]) -> dict[str, str]:
    """Client id → label, for a list to choose from: in the order of the labels, items without a client left out."""
    labelled = {id_: label for id_, label in clients if id_}
    return dict(sorted(labelled.items(), key=lambda pair: pair[1].casefold()))


def holds(viewer: Viewer, item: ItemView) -> bool:
    return item.task is not None and viewer.user in item.task.assignees


def manages(viewer: Viewer, item: ItemView) -> bool:
    return item.task_manager is not None and viewer.user == item.task_manager


def may_see(viewer: Viewer, item: ItemView, decided: bool = False) -> bool:
    """``decided``: the viewer acted on one of the item's tasks."""
    if decided:
        return True
    if item.confidential:
        return holds(viewer, item) or manages(viewer, item)
    if viewer.role == "client":
        return holds(viewer, item) or item.organisation_person_id in viewer.organisations
    return True


def actions_for(viewer: Viewer, item: ItemView) -> tuple[str, ...]:
    if item.task is None:
        restorable = manages(viewer, item) and item.status_code == REJECTED and item.last_task
        return (RESTORE,) if restorable else ()
    if manages(viewer, item):
        return (*item.task.actions, REASSIGN)
    return item.task.actions if holds(viewer, item) else ()


def task_acted_on(item: ItemView, action: str) -> str | None:
    """The task an action names: the current one, or for a restore the one the item was rejected in."""
    return item.last_task if action == RESTORE else (item.task.task if item.task else None)


def refuse_action(
    viewer: Viewer,
    item: ItemView,
    action: str,
    comment: str,
    assignees: tuple[str, ...] = (),
    _: Callable[[str], str] = str,
) -> str | None:
    """Why this action cannot be sent now (a sentence for the person in their language, by ``_``), or None."""
    if action not in actions_for(viewer, item):
        return _("Deze actie kunt u nu niet uitvoeren op deze taak.")
    if action in COMMENT_REQUIRED and not comment.strip():
        return _("Geef bij '%(action)s' een toelichting.") % {"action": _(action)}
    if action == REASSIGN and not assignees:
        return _("Geef aan wie de taak krijgt: een gebruiker of @groep.")
    return None
