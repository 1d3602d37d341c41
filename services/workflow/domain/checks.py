"""The rules a resolved workflow must satisfy before it can be published."""

from collections.abc import Iterator

from .definition import INTERVENTIONS, OUTCOMES, Outcome, TaskDefinition, WorkflowDefinition
from .directory import DESTINATION_GROUP, GROUP_PREFIX, Directory
from .problems import ValidationProblem

Finding = tuple[str | None, str]
"""(task or None, message) for one workflow."""


def check_definition(
    definition: WorkflowDefinition, file: str, directory: Directory | None = None
) -> list[ValidationProblem]:
    findings = [*_workflow_findings(definition), *_reachability_findings(definition)]
    for task in definition.tasks:
        findings += [(task.name, m) for m in _task_findings(definition, task, directory)]
    return [ValidationProblem(file=file, workflow=definition.name, task=t, message=m) for t, m in findings]


def _workflow_findings(definition: WorkflowDefinition) -> Iterator[Finding]:
    if not definition.tasks:
        yield None, "the workflow has no tasks"
    if not definition.start_task:
        yield None, "start_task is missing"
    elif definition.task(definition.start_task) is None:
        yield None, f"start_task '{definition.start_task}' is not a task of this workflow"
    if definition.task_manager is not None and definition.task_manager.startswith(GROUP_PREFIX):
        yield None, f"task_manager must be one user, not the group '{definition.task_manager}'"
    destination = GROUP_PREFIX + DESTINATION_GROUP
    if definition.task_manager is None and any(destination in t.assignees for t in definition.tasks):
        yield (
            None,
            (
                f"a task is assigned to '{destination}', so the workflow needs a task_manager: a client"
                " without a portal user hands the task to the task manager"
            ),
        )
    for outcome in Outcome:
        if not any(a.name == outcome.action and a.outcome is outcome for t in definition.tasks for a in t.actions):
            yield None, f"no action '{outcome.action}' leading to '{outcome}'; every workflow needs one"


def _task_findings(definition: WorkflowDefinition, task: TaskDefinition, directory: Directory | None) -> Iterator[str]:
    if task.name in OUTCOMES:
        yield f"the task name '{task.name}' is reserved for the outcome"
    yield from _assignee_findings(task, directory)
    if not task.actions:
        yield "the task has no actions"
    seen: set[str] = set()
    for action in task.actions:
        if action.name in seen:
            yield f"duplicate action name '{action.name}'"
        seen.add(action.name)
        yield from _action_findings(definition, action.name, action.leads_to)


def _assignee_findings(task: TaskDefinition, directory: Directory | None) -> Iterator[str]:
    if not task.assignees:
        yield "the task has no assignees"
    for assignee in task.assignees:
        if not assignee.strip() or assignee != assignee.strip() or assignee == GROUP_PREFIX:
            yield f"assignee '{assignee}' is not a user id or @group"
    if directory is not None:
        for group in directory.unknown_groups(task.assignees):
            yield f"assignee '{group}' names an unknown group"


def _action_findings(definition: WorkflowDefinition, name: str, leads_to: str) -> Iterator[str]:
    if name in INTERVENTIONS:
        yield f"action name '{name}' is reserved for the task manager"
    if leads_to not in OUTCOMES and definition.task(leads_to) is None:
        yield (
            f"action '{name}' leads to '{leads_to}', "
            "which is neither a task of this workflow nor 'approved' or 'rejected'"
        )
    for outcome in Outcome:
        if name == outcome.action and leads_to != outcome:
            yield f"action '{name}' must lead to '{outcome}', not '{leads_to}'"
        elif leads_to == outcome and name != outcome.action:
            yield f"action '{name}' leads to '{outcome}'; only '{outcome.action}' may"


def _reachability_findings(definition: WorkflowDefinition) -> Iterator[Finding]:
    if definition.task(definition.start_task) is None:
        return  # reported already; everything would look unreachable
    reachable = _reachable(definition)
    for task in definition.tasks:
        if task.name not in reachable:
            yield task.name, f"the task cannot be reached from the start task '{definition.start_task}'"
    ending = _can_end(definition)
    for task in definition.tasks:
        if task.name in reachable and task.name not in ending and task.actions:
            yield task.name, "no path of actions from this task ends in 'approved' or 'rejected'"


def _reachable(definition: WorkflowDefinition) -> set[str]:
    seen, todo = set(), [definition.start_task]
    while todo:
        task = definition.task(todo.pop())
        if task is not None and task.name not in seen:
            seen.add(task.name)
            todo += [a.leads_to for a in task.actions]
    return seen


def _can_end(definition: WorkflowDefinition) -> set[str]:
    """Tasks from which some sequence of actions reaches an outcome."""
    ending: set[str] = set()
    changed = True
    while changed:
        changed = False
        for task in definition.tasks:
            if task.name not in ending and any(a.leads_to in OUTCOMES or a.leads_to in ending for a in task.actions):
                ending.add(task.name)
                changed = True
    return ending
