"""Applying one person's action (a record of ``workflow.actions``) to a dossier item, inside the batch's transaction.

The item's instance row is locked before anything is decided, so actions on one
item are decided one after another even when several processes (or wrongly
keyed records) carry them at once; the state machine then refuses whatever is
no longer possible, and of two conflicting actions exactly one moves the item.
"""

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

import structlog
from aiokafka import ConsumerRecord
from pydantic import ValidationError

from services.workflow.domain import (
    REASSIGN_ACTION,
    ActionRefusal,
    ActionRequest,
    Directory,
    Outcome,
    RefusalCode,
    Transition,
    decide,
)
from services.workflow.publications import PublicationCache
from services.workflow.records import approved_record, audit_comment, describe, status_record
from services.workflow.repository import Instance, WorkflowRepository
from services.workflow.tasks import TaskEvents
from shared.contracts.actions import WorkflowAction
from shared.contracts.status import StatusCode
from shared.contracts.tasks import TaskEventKind
from shared.db.outbox import OutboxRecord
from shared.dead_letters import dead_letter
from shared.topics import Topics

log = structlog.get_logger(__name__)

REPORTED_ON_STATUS = (StatusCode.PROCESSING, StatusCode.IN_WORKFLOW)
"""While the item waits for or is in its workflow, a refusal is reported on messages.status with that status."""


class ActionHandler:
    def __init__(self, topics: Topics, publications: PublicationCache, clock: Callable[[], datetime]):
        self.topics = topics
        self.publications = publications
        self.clock = clock

    async def apply(self, repository: WorkflowRepository, record: ConsumerRecord,
                    tally: list[tuple[str, str]]) -> list[OutboxRecord]:
        """The outbox records for one action; ``tally`` gets (action, outcome) for the metrics."""
        try:
            action = WorkflowAction.model_validate_json(record.value or b"")
        except ValidationError as exc:
            tally.append(("", "invalid"))
            return [self._dead_letter(record, "invalid_action", _readable(exc))]
        with structlog.contextvars.bound_contextvars(dossier_item_id=action.dossier_item_id, action_id=action.action_id):
            return await self._apply(repository, record, action, tally)

    async def _apply(self, repository: WorkflowRepository, record: ConsumerRecord, action: WorkflowAction,
                     tally: list[tuple[str, str]]) -> list[OutboxRecord]:
        item_id = _uuid(action.dossier_item_id)
        if item_id is None:
            tally.append((action.action, "unknown_item"))
            return [self._dead_letter(record, "unknown_dossier_item",
                                      f"'{action.dossier_item_id}' is not a dossier item id (a UUID)")]
        instance = await repository.instance(item_id)
        # Checked under the item's lock: the same action carried twice at once still acts once.
        if await repository.action_seen(action.action_id):
            tally.append((action.action, "duplicate"))
            return []
        if instance is None:
            tally.append((action.action, "unknown_item"))
            await repository.remember_action(action.action_id, item_id, "refused")
            return [self._dead_letter(record, "unknown_dossier_item", f"dossier item {item_id} does not exist")]
        tasks = await self._task_events(repository, instance)
        outcome = await self._decide(repository, instance, action, tasks)
        if isinstance(outcome, ActionRefusal):
            tally.append((action.action, "refused"))
            await repository.remember_action(action.action_id, instance.dossier_item_id, "refused")
            return [self._refusal(record, instance, action, outcome)]
        tally.append((action.action, "applied"))
        log.info("action applied", action=action.action, actor=action.actor, operator=action.operator,
                 from_task=outcome.from_task, to_task=outcome.to_task, status_code=int(outcome.status_code))
        await repository.remember_action(action.action_id, instance.dossier_item_id, "applied")
        return await self._move(repository, instance, action, outcome, tasks)

    async def _task_events(self, repository: WorkflowRepository, instance: Instance) -> TaskEvents:
        # Group membership and clients' portal users are about people, not about the workflow version: the
        # latest directory counts.
        latest = await self.publications.latest(repository)
        directory = latest.directory if latest else Directory()
        return TaskEvents(self.topics, directory, await repository.parties([instance.item["organisation_person_id"]]))

    async def _decide(self, repository: WorkflowRepository, instance: Instance, action: WorkflowAction,
                      tasks: TaskEvents) -> Transition | ActionRefusal:
        if instance.state is None:
            return ActionRefusal(RefusalCode.NOT_RUNNING, "the item is not in a workflow yet (it waits for a route)")
        config = await self.publications.get(repository, instance.publication_id)
        request = ActionRequest(action_id=action.action_id, task=action.task, action=action.action, actor=action.actor,
                                comment=action.comment, assignees=tuple(action.assignees))
        return decide(config.workflows[instance.state.workflow], instance.state, request,
                      tasks.directory_for(instance))

    async def _move(self, repository: WorkflowRepository, instance: Instance, action: WorkflowAction,
                    transition: Transition, tasks: TaskEvents) -> list[OutboxRecord]:
        now = self.clock()
        # Every accepted action restarts the current task's deadline: it was handled, or handed to someone new.
        await repository.save_state(instance.dossier_item_id, state=transition.state,
                                    status_code=int(transition.status_code), detail=describe(transition),
                                    publication_id=instance.publication_id, task_started_at=now)
        await repository.audit(instance.dossier_item_id, actor=action.actor, action=action.action,
                               action_id=action.action_id, from_task=transition.from_task,
                               to_task=transition.to_task, from_status=instance.status_code,
                               to_status=int(transition.status_code), comment=audit_comment(transition),
                               workflow_name=transition.state.workflow, publication_id=instance.publication_id,
                               at=now, operator=action.operator)
        events = [status_record(self.topics, instance, transition.status_code, describe(transition), at=now)]
        events += await self._task_changes(repository, instance, transition, tasks, at=now)
        if transition.outcome is Outcome.APPROVED and transition.status_code != instance.status_code:
            events.append(approved_record(self.topics, instance, approved_by=action.actor, at=now))
        return events

    async def _task_changes(self, repository: WorkflowRepository, instance: Instance, transition: Transition,
                            tasks: TaskEvents, *, at: datetime) -> list[OutboxRecord]:
        """A reassignment moves the task to new holders; any other action completes the task it was taken on
        (if any: a restore starts from none) and opens the next one (if any: an outcome ends the workflow)."""
        config = await self.publications.get(repository, instance.publication_id)
        definition = config.workflows[transition.state.workflow]
        cause = {"actor": transition.actor, "action": transition.action}
        if transition.action == REASSIGN_ACTION:
            return [tasks.opened(instance, definition, transition.state, at=at, kind=TaskEventKind.REASSIGNED,
                                 before=instance.state, **cause)]
        events = []
        if transition.from_task is not None:
            events.append(tasks.completed(instance, definition, transition.from_task, comment=transition.comment,
                                          at=at, **cause))
        if transition.to_task is not None:
            events.append(tasks.opened(instance, definition, transition.state, at=at, **cause))
        return events

    def _refusal(self, record: ConsumerRecord, instance: Instance, action: WorkflowAction,
                 refusal: ActionRefusal) -> OutboxRecord:
        detail = f"action '{action.action}' on task '{action.task}' by {action.actor} refused: {refusal.message}"
        log.info("action refused", dossier_item_id=instance.dossier_item_id, reason=str(refusal.reason_code))
        if instance.status_code in REPORTED_ON_STATUS:
            return status_record(self.topics, instance, StatusCode(instance.status_code), detail, at=self.clock(),
                                 reason_code=str(refusal.reason_code))
        # Once the workflow has ended, a status event repeating 40 or 50 would read as a second rejection or
        # approval, and after 50 the message has moved on at dispatch (60-90): the refusal goes to the DLQ.
        return self._dead_letter(record, str(refusal.reason_code), detail)

    def _dead_letter(self, record: ConsumerRecord, reason_code: str, reason: str) -> OutboxRecord:
        return dead_letter(self.topics.workflow_actions_dlq, record, reason_code=reason_code, reason=reason)


def _uuid(text: str) -> str | None:
    try:
        return str(UUID(text))
    except ValueError:
        return None


def _readable(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'record'}: {e['msg']}" for e in error.errors())
