"""Applying people's actions (records of ``workflow.actions.from.<writer>``, each writer proven by its topic) to
dossier items, inside the batch's transaction.

The batch's instance rows are locked before anything is decided, so actions on
one item are decided one after another even when several processes (or wrongly
keyed records) carry them at once; the state machine then refuses whatever is
no longer possible, and of two conflicting actions exactly one moves the item.
A batch reads what it needs in a few statements and writes what it decided in a
few more, however many actions it holds.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

import structlog
from aiokafka import ConsumerRecord

from services.workflow.domain import (
    REASSIGN_ACTION,
    ActionRefusal,
    ActionRequest,
    Directory,
    Outcome,
    RefusalCode,
    Transition,
    decide,
    escalation_due,
)
from services.workflow.domain.writers import NotVouched, vouch
from services.workflow.publications import PublicationCache
from services.workflow.records import approved_record, audit_comment, describe, status_records
from services.workflow.repository import AuditEntry, Instance, StateChange, WorkflowRepository
from services.workflow.tasks import TaskEvents
from shared.contracts.actions import WorkflowAction
from shared.contracts.status import StatusCode
from shared.contracts.tasks import TaskEventKind
from shared.db.outbox import OutboxRecord
from shared.dead_letters import dead_letter, read_as
from shared.topics import Topics

log = structlog.get_logger(__name__)

REPORTED_ON_STATUS = (StatusCode.PROCESSING, StatusCode.IN_WORKFLOW)
"""While the item waits for or is in its workflow, a refusal is reported on messages.status with that status."""


@dataclass
class _Writes:
    """What a batch of actions stores, written in a few statements once every action is decided."""

    outcomes: list[tuple[str, str, str]] = field(default_factory=list)
    states: dict[str, StateChange] = field(default_factory=dict)
    audits: list[AuditEntry] = field(default_factory=list)

    def change(self, change: StateChange) -> None:
        first = self.states.get(change.dossier_item_id)
        self.states[change.dossier_item_id] = (
            change
            if first is None
            else replace(change, over_step=first.state.step - 1 if first.over_step is None else first.over_step)
        )

    async def store(self, repository: WorkflowRepository) -> None:
        await repository.remember_actions(self.outcomes)
        await repository.save_states(list(self.states.values()))
        await repository.audit(self.audits)


class ActionHandler:
    def __init__(self, topics: Topics, publications: PublicationCache, clock: Callable[[], datetime]):
        self.topics = topics
        self.publications = publications
        self.clock = clock

    async def apply(
        self, repository: WorkflowRepository, records: Sequence[ConsumerRecord], tally: list[tuple[str, str]]
    ) -> list[OutboxRecord]:
        """The outbox records for a batch of actions, decided one after another in record order; ``tally`` gets
        (action, outcome) for the metrics. The batch's items are locked and read at once (in id order, so two
        processes never wait on each other in a circle), and what it changes is written at once."""
        actions = [
            (
                record,
                read_as(
                    WorkflowAction,
                    record,
                    refused_by="workflow",
                    reason_code="invalid_action",
                    dead_letter_topic=self.topics.workflow_actions_dlq,
                    command=True,
                ),
            )
            for record in records
        ]
        valid = [a for _, a in actions if isinstance(a, WorkflowAction)]
        ids = sorted({item_id for a in valid if (item_id := _uuid(a.dossier_item_id))})
        instances = {i.dossier_item_id: i for i in await repository.instances(ids)} if ids else {}
        seen = await repository.seen_actions(a.action_id for a in valid)
        tasks = await self._task_events(repository, instances.values())
        writes, events = _Writes(), []
        for record, read in actions:
            if not isinstance(read, WorkflowAction):
                tally.append(("", "invalid"))
                events.append(read)
                continue
            vouched = vouch(self.topics.writer_of(record.topic), read.operator)
            if isinstance(vouched, NotVouched):
                tally.append((read.action, "refused"))
                if item_id := _uuid(read.dossier_item_id):
                    writes.outcomes.append((read.action_id, item_id, "refused"))
                log.warning(
                    "action refused: its writer may not vouch for it",
                    writer=vouched.writer,
                    actor=read.actor,
                    action=read.action,
                    reason=vouched.reason,
                )
                events.append(self._dead_letter(record, "writer_not_vouching", vouched.reason))
                continue
            action = read.model_copy(update={"operator": vouched.operator})
            with structlog.contextvars.bound_contextvars(
                dossier_item_id=action.dossier_item_id, action_id=action.action_id
            ):
                events += await self._apply(
                    repository, record, action, vouched.writer, instances, seen, tasks, writes, tally
                )
        await writes.store(repository)
        return events

    async def _apply(
        self,
        repository: WorkflowRepository,
        record: ConsumerRecord,
        action: WorkflowAction,
        writer: str,
        instances: dict[str, Instance],
        seen: set[str],
        tasks: TaskEvents,
        writes: _Writes,
        tally: list[tuple[str, str]],
    ) -> list[OutboxRecord]:
        item_id = _uuid(action.dossier_item_id)
        if item_id is None:
            tally.append((action.action, "unknown_item"))
            return [
                self._dead_letter(
                    record, "unknown_dossier_item", f"'{action.dossier_item_id}' is not a dossier item id (a UUID)"
                )
            ]
        # Checked under the item's lock: the same action carried twice at once still acts once.
        if action.action_id in seen:
            tally.append((action.action, "duplicate"))
            return []
        seen.add(action.action_id)
        instance = instances.get(item_id)
        if instance is None:
            tally.append((action.action, "unknown_item"))
            writes.outcomes.append((action.action_id, item_id, "refused"))
            return [self._dead_letter(record, "unknown_dossier_item", f"dossier item {item_id} does not exist")]
        outcome = await self._decide(repository, instance, action, tasks)
        if isinstance(outcome, ActionRefusal):
            tally.append((action.action, "refused"))
            writes.outcomes.append((action.action_id, instance.dossier_item_id, "refused"))
            return self._refusal(record, instance, action, outcome)
        tally.append((action.action, "applied"))
        log.info(
            "action applied",
            action=action.action,
            actor=action.actor,
            operator=action.operator,
            from_task=outcome.from_task,
            to_task=outcome.to_task,
            status_code=int(outcome.status_code),
        )
        writes.outcomes.append((action.action_id, instance.dossier_item_id, "applied"))
        now = self.clock()
        instances[instance.dossier_item_id] = replace(
            instance, state=outcome.state, status_code=int(outcome.status_code), task_started_at=now
        )
        return await self._move(repository, instance, action, writer, outcome, tasks, writes, now)

    async def _task_events(self, repository: WorkflowRepository, instances: Iterable[Instance]) -> TaskEvents:
        # Group membership and clients' portal users are about people, not about the workflow version: the
        # latest directory counts.
        latest = await self.publications.latest(repository)
        directory = latest.directory if latest else Directory()
        parties = await repository.parties({i.item["organisation_person_id"] for i in instances})
        return TaskEvents(self.topics, directory, parties)

    async def _decide(
        self, repository: WorkflowRepository, instance: Instance, action: WorkflowAction, tasks: TaskEvents
    ) -> Transition | ActionRefusal:
        if instance.state is None:
            return ActionRefusal(RefusalCode.NOT_RUNNING, "the item is not in a workflow yet (it waits for a route)")
        config = await self.publications.get(repository, instance.started_on)
        request = ActionRequest(
            action_id=action.action_id,
            task=action.task,
            action=action.action,
            actor=action.actor,
            comment=action.comment,
            assignees=tuple(action.assignees),
        )
        return decide(config.workflows[instance.state.workflow], instance.state, request, tasks.directory_for(instance))

    async def _move(
        self,
        repository: WorkflowRepository,
        instance: Instance,
        action: WorkflowAction,
        writer: str,
        transition: Transition,
        tasks: TaskEvents,
        writes: _Writes,
        now: datetime,
    ) -> list[OutboxRecord]:
        # Every accepted action restarts the current task's deadline: it was handled, or handed to someone new.
        config = await self.publications.get(repository, instance.started_on)
        due = escalation_due(config.workflows[transition.state.workflow], transition.state, now)
        writes.change(
            StateChange(
                instance.dossier_item_id,
                transition.state,
                int(transition.status_code),
                describe(transition),
                instance.started_on,
                task_started_at=now,
                task_due_at=due,
            )
        )
        writes.audits.append(
            AuditEntry(
                instance.dossier_item_id,
                actor=action.actor,
                action=action.action,
                action_id=action.action_id,
                from_task=transition.from_task,
                to_task=transition.to_task,
                from_status=instance.status_code,
                to_status=int(transition.status_code),
                comment=audit_comment(transition),
                workflow_name=transition.state.workflow,
                publication_id=instance.publication_id,
                at=now,
                operator=action.operator,
                writer=writer,
                statement=action.statement,
                confirmed_at=action.confirmed_at,
            )
        )
        cause = action_cause(action)
        events = status_records(
            self.topics, instance, transition.status_code, describe(transition), at=now, cause=cause
        )
        events += await self._task_changes(
            repository, instance, transition, tasks, at=now, operator=action.operator, cause=cause
        )
        if transition.outcome is Outcome.APPROVED and transition.status_code != instance.status_code:
            events.append(approved_record(self.topics, instance, approved_by=action.actor, at=now))
        return events

    async def _task_changes(
        self,
        repository: WorkflowRepository,
        instance: Instance,
        transition: Transition,
        tasks: TaskEvents,
        *,
        at: datetime,
        operator: str | None,
        cause: str,
    ) -> list[OutboxRecord]:
        """A reassignment moves the task to new holders; any other action completes the task it was taken on
        (if any: a restore starts from none) and opens the next one (if any: an outcome ends the workflow).
        ``operator``: who acted on the actor's behalf, if someone did; the events name them."""
        config = await self.publications.get(repository, instance.started_on)
        definition = config.workflows[transition.state.workflow]
        actor, action = transition.actor, transition.action
        if transition.action == REASSIGN_ACTION:
            return [
                tasks.opened(
                    instance,
                    definition,
                    transition.state,
                    at=at,
                    kind=TaskEventKind.REASSIGNED,
                    before=instance.state,
                    actor=actor,
                    action=action,
                    operator=operator,
                    cause=cause,
                )
            ]
        events: list[OutboxRecord] = []
        if transition.from_task is not None:
            events.append(
                tasks.completed(
                    instance,
                    definition,
                    transition.from_task,
                    actor=actor,
                    action=action,
                    operator=operator,
                    comment=transition.comment,
                    at=at,
                    cause=cause,
                )
            )
        if transition.to_task is not None:
            opened = tasks.opened(
                instance,
                definition,
                transition.state,
                at=at,
                actor=actor,
                action=action,
                operator=operator,
                cause=cause,
            )
            events.append(opened)
        return events

    def _refusal(
        self, record: ConsumerRecord, instance: Instance, action: WorkflowAction, refusal: ActionRefusal
    ) -> list[OutboxRecord]:
        detail = f"action '{action.action}' on task '{action.task}' by {action.actor} refused: {refusal.message}"
        log.info("action refused", dossier_item_id=instance.dossier_item_id, reason=str(refusal.reason_code))
        if instance.status_code in REPORTED_ON_STATUS:
            return status_records(
                self.topics,
                instance,
                StatusCode(instance.status_code),
                detail,
                at=self.clock(),
                cause=action_cause(action),
                reason_code=str(refusal.reason_code),
            )
        # Once the workflow has ended, a status event repeating 40 or 50 would read as a second rejection or
        # approval, and after 50 the message has moved on at dispatch (60-90): the refusal goes to the DLQ.
        return [self._dead_letter(record, str(refusal.reason_code), detail)]

    def _dead_letter(self, record: ConsumerRecord, reason_code: str, reason: str) -> OutboxRecord:
        return dead_letter(self.topics.workflow_actions_dlq, record, reason_code=reason_code, reason=reason)


def _uuid(text: str) -> str | None:
    try:
        return str(UUID(text))
    except ValueError:
        return None


def action_cause(action: WorkflowAction) -> str:
    """The cause of the events an action makes (``StatusEvent.of``): its id, which a person's click keeps for good."""
    return f"action {action.action_id}"
