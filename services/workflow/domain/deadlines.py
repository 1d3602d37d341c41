"""Task deadlines, and escalation of an overdue task to the workflow's task manager."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from .definition import WorkflowDefinition
from .instance import InstanceState, assignees_of


def deadline(definition: WorkflowDefinition, task: str | None) -> timedelta | None:
    definition_task = definition.task(task)
    if definition_task is None or definition_task.deadline_hours is None:
        return None
    return timedelta(hours=definition_task.deadline_hours)


def overdue(definition: WorkflowDefinition, state: InstanceState, task_started_at: datetime, now: datetime) -> bool:
    """Whether the running instance's current task has passed its deadline."""
    limit = deadline(definition, state.current_task) if state.running else None
    return limit is not None and now - task_started_at >= limit


@dataclass(frozen=True)
class Escalation:
    """An overdue task handed to the task manager, who joins its assignees; the status stays 30."""

    task: str
    task_manager: str
    assignees: tuple[str, ...]
    state: InstanceState
    message: str


def escalation_due(definition: WorkflowDefinition, state: InstanceState, task_started_at: datetime) -> datetime | None:
    """When the current task, started at ``task_started_at``, is to be escalated; None if it never will be (no
    deadline, no task manager, or the task manager holds it already)."""
    task = state.current_task
    limit = deadline(definition, task) if state.running else None
    if task is None or limit is None or definition.task_manager is None:
        return None
    if definition.task_manager in assignees_of(definition, state, task):
        return None
    return task_started_at + limit


def escalate(
    definition: WorkflowDefinition, state: InstanceState, task_started_at: datetime, now: datetime
) -> Escalation | None:
    """The escalation due now, or None: not overdue, no task manager, or already escalated."""
    due = escalation_due(definition, state, task_started_at)
    if due is None or now < due:
        return None
    manager, task = definition.task_manager, state.current_task
    definition_task = definition.task(task)
    # escalation_due found a running task with a deadline and a task manager
    assert manager is not None and task is not None and definition_task is not None
    assignees = (*assignees_of(definition, state, task), manager)
    hours = definition_task.deadline_hours
    message = f"task '{task}' is overdue (deadline {hours:g} hours); escalated to task manager '{manager}'"
    new_state = replace(state.with_override(task, assignees), step=state.step + 1)
    return Escalation(task=task, task_manager=manager, assignees=assignees, state=new_state, message=message)
