"""One workflow instance's state, and who may act on its tasks."""

from dataclasses import dataclass, replace
from typing import Any

from shared.contracts.status import StatusCode

from .definition import Outcome, WorkflowDefinition
from .directory import Directory


@dataclass(frozen=True)
class InstanceState:
    """Where one dossier item stands in the workflow version it started with."""

    workflow: str
    version: int
    current_task: str | None
    outcome: Outcome | None = None
    assignee_overrides: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(task, assignees) pairs set by reassignment or escalation; they replace the definition's assignees."""
    rejected_from_task: str | None = None
    step: int = 0
    """Transitions so far. A repository stores a new state only over the step it was decided on,
    so of two decisions made on the same state exactly one is kept."""

    @property
    def running(self) -> bool:
        return self.outcome is None

    @property
    def status_code(self) -> StatusCode:
        return StatusCode.IN_WORKFLOW if self.outcome is None else self.outcome.status_code

    def override_for(self, task: str) -> tuple[str, ...] | None:
        return dict(self.assignee_overrides).get(task)

    def with_override(self, task: str, assignees: tuple[str, ...]) -> "InstanceState":
        overrides = dict(self.assignee_overrides) | {task: assignees}
        return replace(self, assignee_overrides=tuple(sorted(overrides.items())))

    def as_document(self) -> dict[str, Any]:
        return {
            "workflow": self.workflow,
            "version": self.version,
            "current_task": self.current_task,
            "outcome": None if self.outcome is None else str(self.outcome),
            "assignee_overrides": {task: list(a) for task, a in self.assignee_overrides},
            "rejected_from_task": self.rejected_from_task,
            "step": self.step,
        }

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> "InstanceState":
        outcome = document.get("outcome")
        overrides = document.get("assignee_overrides") or {}
        return cls(
            workflow=document["workflow"],
            version=document["version"],
            current_task=document.get("current_task"),
            outcome=None if outcome is None else Outcome(outcome),
            assignee_overrides=tuple(sorted((task, tuple(a)) for task, a in overrides.items())),
            rejected_from_task=document.get("rejected_from_task"),
            step=document.get("step", 0),
        )


def start(definition: WorkflowDefinition, version: int) -> InstanceState:
    """A new instance at the start task (status 30)."""
    return InstanceState(workflow=definition.name, version=version, current_task=definition.start_task)


def assignees_of(definition: WorkflowDefinition, state: InstanceState, task: str) -> tuple[str, ...]:
    override = state.override_for(task)
    if override is not None:
        return override
    definition_task = definition.task(task)
    return definition_task.assignees if definition_task else ()


def may_act(definition: WorkflowDefinition, state: InstanceState, task: str, actor: str, directory: Directory) -> bool:
    """Whether ``actor`` may take an action on ``task``: an assignee, or the task manager."""
    return actor == definition.task_manager or directory.includes(assignees_of(definition, state, task), actor)
