"""The workflow state machine: pure decisions on one instance's state, one action request at a time."""

from dataclasses import dataclass, replace
from enum import StrEnum

from shared.contracts.status import StatusCode

from .definition import REASSIGN_ACTION, RESTORE_ACTION, Outcome, WorkflowDefinition
from .directory import Directory
from .instance import InstanceState, assignees_of, may_act, start

__all__ = [
    "ActionRefusal",
    "ActionRequest",
    "InstanceState",
    "RefusalCode",
    "Transition",
    "assignees_of",
    "decide",
    "may_act",
    "start",
]


class RefusalCode(StrEnum):
    NOT_RUNNING = "not_running"
    """The workflow has ended (approved or rejected); only a restore of a rejection is possible."""
    NOT_REJECTED = "not_rejected"
    """A restore of an item that is not rejected."""
    STALE_TASK = "stale_task"
    """The request names a task that is not (or no longer) the current one."""
    NOT_ALLOWED = "not_allowed"
    """The actor is neither an assignee of the task nor the task manager (or it is an intervention)."""
    UNKNOWN_ACTION = "unknown_action"
    NO_ASSIGNEES = "no_assignees"
    """A reassignment without (valid) new assignees."""
    UNKNOWN_GROUP = "unknown_group"


@dataclass(frozen=True)
class ActionRequest:
    action_id: str
    """Idempotency key; the pure decision does not use it, the service records it."""
    task: str
    action: str
    actor: str
    comment: str = ""
    assignees: tuple[str, ...] = ()
    """Only for "Taak toewijzen": the task's new assignees (users or @groups)."""


@dataclass(frozen=True)
class Transition:
    """An accepted request: what the audit trail records and the state to store."""

    action_id: str
    actor: str
    action: str
    comment: str
    from_task: str | None
    to_task: str | None
    outcome: Outcome | None
    status_code: StatusCode
    state: InstanceState
    assignees: tuple[str, ...] = ()
    """For a reassignment: the task's assignees from now on."""


@dataclass(frozen=True)
class ActionRefusal:
    reason_code: RefusalCode
    message: str


def decide(
    definition: WorkflowDefinition, state: InstanceState, request: ActionRequest, directory: Directory
) -> Transition | ActionRefusal:
    """Accept ``request`` as a transition from ``state``, or refuse it with a reason."""
    if state.workflow != definition.name:
        raise ValueError(f"state of workflow '{state.workflow}' decided with definition '{definition.name}'")
    if request.action == RESTORE_ACTION:
        return _restore(definition, state, request)
    refusal = _refuse_unless_current(state, request)
    if refusal is not None:
        return refusal
    if request.action == REASSIGN_ACTION:
        return _reassign(definition, state, request, directory)
    return _act(definition, state, request, directory)


def _refuse_unless_current(state: InstanceState, request: ActionRequest) -> ActionRefusal | None:
    if not state.running:
        return ActionRefusal(RefusalCode.NOT_RUNNING, f"the workflow has ended: the message is {state.outcome}")
    if request.task != state.current_task:
        message = f"task '{request.task}' is not the current task; the current task is '{state.current_task}'"
        return ActionRefusal(RefusalCode.STALE_TASK, message)
    return None


def _act(
    definition: WorkflowDefinition, state: InstanceState, request: ActionRequest, directory: Directory
) -> Transition | ActionRefusal:
    if not may_act(definition, state, request.task, request.actor, directory):
        message = f"'{request.actor}' is not an assignee of task '{request.task}' nor the workflow's task manager"
        return ActionRefusal(RefusalCode.NOT_ALLOWED, message)
    task = definition.task(request.task)
    action = task.action(request.action) if task else None
    if action is None:
        return ActionRefusal(RefusalCode.UNKNOWN_ACTION, f"task '{request.task}' has no action '{request.action}'")
    outcome = action.outcome
    new_state = replace(
        state,
        current_task=None if outcome else action.leads_to,
        outcome=outcome,
        rejected_from_task=request.task if outcome is Outcome.REJECTED else None,
        step=state.step + 1,
    )
    return _transition(request, state, new_state)


def _reassign(
    definition: WorkflowDefinition, state: InstanceState, request: ActionRequest, directory: Directory
) -> Transition | ActionRefusal:
    if request.actor != definition.task_manager:
        return ActionRefusal(RefusalCode.NOT_ALLOWED, f"only the task manager may use '{REASSIGN_ACTION}'")
    assignees = tuple(dict.fromkeys(a.strip() for a in request.assignees if a.strip() and a.strip() != "@"))
    if not assignees:
        return ActionRefusal(RefusalCode.NO_ASSIGNEES, f"'{REASSIGN_ACTION}' needs at least one new assignee")
    unknown = directory.unknown_groups(assignees)
    if unknown:
        return ActionRefusal(RefusalCode.UNKNOWN_GROUP, f"unknown group(s): {', '.join(unknown)}")
    new_state = replace(state.with_override(request.task, assignees), step=state.step + 1)
    return _transition(request, state, new_state, assignees)


def _restore(
    definition: WorkflowDefinition, state: InstanceState, request: ActionRequest
) -> Transition | ActionRefusal:
    if state.outcome is not Outcome.REJECTED:
        message = f"only a rejected message can be restored; this one is {state.status_code.label.lower()}"
        return ActionRefusal(RefusalCode.NOT_REJECTED, message)
    if request.task != state.rejected_from_task:
        message = f"the message was rejected in task '{state.rejected_from_task}', not '{request.task}'"
        return ActionRefusal(RefusalCode.STALE_TASK, message)
    if request.actor != definition.task_manager:
        return ActionRefusal(RefusalCode.NOT_ALLOWED, f"only the task manager may use '{RESTORE_ACTION}'")
    new_state = replace(
        state, current_task=state.rejected_from_task, outcome=None, rejected_from_task=None, step=state.step + 1
    )
    return _transition(request, state, new_state)


def _transition(
    request: ActionRequest, old: InstanceState, new: InstanceState, assignees: tuple[str, ...] = ()
) -> Transition:
    return Transition(
        action_id=request.action_id,
        actor=request.actor,
        action=request.action,
        comment=request.comment,
        from_task=old.current_task,
        to_task=new.current_task,
        outcome=new.outcome,
        status_code=new.status_code,
        state=new,
        assignees=assignees,
    )
