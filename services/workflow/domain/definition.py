"""A resolved, flat workflow definition: tasks, who may act on them, and where each action leads."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared.contracts.status import StatusCode

APPROVE_ACTION = "Goedkeuren bericht"
REJECT_ACTION = "Afkeuren bericht"
RESTORE_ACTION = "Herstellen berichtstatus"
REASSIGN_ACTION = "Taak toewijzen"
INTERVENTIONS = (RESTORE_ACTION, REASSIGN_ACTION)
"""Task-manager actions; reserved, so a workflow cannot define them itself."""


class Outcome(StrEnum):
    """Where a workflow ends; an action's ``leads_to`` names one of these or a task."""

    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def status_code(self) -> StatusCode:
        return StatusCode.PREPARED_FOR_SENDING if self is Outcome.APPROVED else StatusCode.REJECTED

    @property
    def action(self) -> str:
        """The one action that may end a workflow in this outcome."""
        return APPROVE_ACTION if self is Outcome.APPROVED else REJECT_ACTION


OUTCOMES = frozenset(o.value for o in Outcome)


@dataclass(frozen=True)
class ActionDefinition:
    name: str
    leads_to: str

    @property
    def outcome(self) -> Outcome | None:
        return Outcome(self.leads_to) if self.leads_to in OUTCOMES else None


@dataclass(frozen=True)
class TaskDefinition:
    name: str
    assignees: tuple[str, ...]
    """User ids, or group names written ``@group``."""
    actions: tuple[ActionDefinition, ...]
    deadline_hours: float | None = None

    def action(self, name: str) -> ActionDefinition | None:
        return next((a for a in self.actions if a.name == name), None)


@dataclass(frozen=True)
class WorkflowDefinition:
    """A workflow with ``based_on`` already applied; what a published version stores."""

    name: str
    start_task: str
    tasks: tuple[TaskDefinition, ...]
    task_manager: str | None = None

    def task(self, name: str | None) -> TaskDefinition | None:
        return next((t for t in self.tasks if t.name == name), None)

    @property
    def task_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.tasks)

    def as_document(self) -> dict[str, Any]:
        """The flat definition as a workflow file; ``from_document`` reads it back."""
        document: dict[str, Any] = {"name": self.name}
        if self.task_manager is not None:
            document["task_manager"] = self.task_manager
        document["start_task"] = self.start_task
        document["tasks"] = [_task_document(t) for t in self.tasks]
        return document

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> "WorkflowDefinition":
        """A definition stored by ``as_document``; trusts that it was validated when published."""
        return cls(
            name=document["name"],
            start_task=document["start_task"],
            task_manager=document.get("task_manager"),
            tasks=tuple(
                TaskDefinition(
                    name=t["name"],
                    assignees=tuple(t["assignees"]),
                    actions=tuple(ActionDefinition(a["name"], a["leads_to"]) for a in t["actions"]),
                    deadline_hours=t.get("deadline_hours"),
                )
                for t in document["tasks"]
            ),
        )


def _task_document(task: TaskDefinition) -> dict[str, Any]:
    document: dict[str, Any] = {
        "name": task.name,
        "assignees": list(task.assignees),
        "actions": [{"name": a.name, "leads_to": a.leads_to} for a in task.actions],
    }
    if task.deadline_hours is not None:
        document["deadline_hours"] = task.deadline_hours
    return document
