"""Who holds a task: its configured assignees resolved to user ids, never nobody.

``@destination`` stands for the item's client: the portal users of the named
contact, or of every active contact of the destination. When the assignees
resolve to no one (a client without a portal user, an empty group) the task
goes to the workflow's task manager, and the assignment says why.
"""

from dataclasses import dataclass

from .definition import WorkflowDefinition
from .directory import DESTINATION_GROUP, GROUP_PREFIX, Directory
from .instance import InstanceState, assignees_of


@dataclass(frozen=True)
class Destination:
    """An item's destination as the directory knows it now."""

    organisation_person_id: str
    contact_id: str | None
    portal_users: tuple[str, ...]
    known: bool = True


@dataclass(frozen=True)
class Assignment:
    users: tuple[str, ...]
    note: str = ""
    """Why the holders are not the configured assignees (empty when they are)."""


def assign(
    definition: WorkflowDefinition, state: InstanceState, task: str, directory: Directory, destination: Destination
) -> Assignment:
    configured = assignees_of(definition, state, task)
    users = directory.with_destination(destination.portal_users).users_of(configured)
    if users:
        return Assignment(users)
    why = _why_nobody(configured, destination)
    manager = definition.task_manager
    if manager is None:
        return Assignment((), f"{why}; the workflow has no task manager to hand it to")
    return Assignment((manager,), f"{why}; assigned to the task manager {manager}")


def _why_nobody(configured: tuple[str, ...], destination: Destination) -> str:
    if GROUP_PREFIX + DESTINATION_GROUP not in configured:
        return f"no user is in {', '.join(configured)}"
    who = destination.organisation_person_id
    if not destination.known:
        return f"{who} is no longer in the directory"
    if destination.contact_id:
        return f"contact {destination.contact_id} of {who} has no active portal user"
    return f"no active contact of {who} has a portal user"
