"""Workflow's use cases: start (or park) new dossier items, apply people's actions, publish configuration.

Each runs in one transaction with its audit rows and its outbox records. An
item's instance row is locked while an action is decided, and the state
machine refuses an action on a task that is no longer current, so of two
conflicting actions exactly one moves the item.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import structlog
from aiokafka import ConsumerRecord
from pydantic import ValidationError

from services.workflow.domain import (
    ActionRefusal,
    ActionRequest,
    ConfigFolder,
    Outcome,
    Publication,
    check_config,
    choose_workflow,
    decide,
    start,
)
from services.workflow.repository import Instance, PublishedConfig, WorkflowRepository
from shared.contracts.actions import WorkflowAction
from shared.contracts.approved import MessageApproved
from shared.contracts.items import DossierItemCreated
from shared.contracts.status import StatusCode, StatusEvent
from shared.dead_letters import dead_letter
from shared.db import outbox
from shared.db.inbox import claim_unapplied
from shared.db.outbox import OutboxRecord
from shared.topics import Topics

log = structlog.get_logger(__name__)

SCHEMA = "workflow"
SYSTEM_ACTOR = "accordeer"
START_ACTION = "Workflow gestart"


def _now() -> datetime:
    return datetime.now(UTC)


class Workflow:
    def __init__(self, pool, topics: Topics, group_id: str, *, clock: Callable[[], datetime] = _now):
        self.pool = pool
        self.topics = topics
        self.group_id = group_id
        self.clock = clock
        self._publications: dict[int, PublishedConfig] = {}

    # -- dossier.items → instances -------------------------------------------------------------------------------

    async def take_items(self, records: Sequence[ConsumerRecord]) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            fresh = await claim_unapplied(conn, SCHEMA, self.group_id, records)
            repository = WorkflowRepository(conn)
            items = [DossierItemCreated.model_validate_json(r.value) for r in fresh]
            new_ids = await repository.add_instances([
                (i.dossier_item_id, i.message_id, i.source, i.message_type, i.characteristics,
                 i.model_dump(mode="json")) for i in items
            ])
            if not new_ids:
                return
            config = await self._latest(repository)
            events = []
            for instance in await repository.instances(sorted(new_ids)):
                events += await route(repository, self.topics, instance, config)
            await outbox.append(conn, SCHEMA, events)

    # -- workflow.actions → transitions ----------------------------------------------------------------------------

    async def take_actions(self, records: Sequence[ConsumerRecord]) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            fresh = await claim_unapplied(conn, SCHEMA, self.group_id, records)
            repository = WorkflowRepository(conn)
            events: list[OutboxRecord] = []
            for record in fresh:
                events += await self._apply_action(repository, record)
            await outbox.append(conn, SCHEMA, events)

    async def _apply_action(self, repository: WorkflowRepository, record: ConsumerRecord) -> list[OutboxRecord]:
        try:
            action = WorkflowAction.model_validate_json(record.value or b"")
        except ValidationError as exc:
            return [dead_letter(self.topics.workflow_actions_dlq, record, reason_code="invalid_action",
                                reason=_readable(exc))]
        if await repository.action_seen(action.action_id):
            return []  # the same action again: it acted once already
        instance = await repository.instance(action.dossier_item_id)
        if instance is None:
            await repository.remember_action(action.action_id, None, "refused")
            return [dead_letter(self.topics.workflow_actions_dlq, record, reason_code="unknown_dossier_item",
                                reason=f"dossier item {action.dossier_item_id} does not exist")]
        outcome = await self._decide(repository, instance, action)
        if isinstance(outcome, ActionRefusal):
            await repository.remember_action(action.action_id, instance.dossier_item_id, "refused")
            detail = f"action '{action.action}' on task '{action.task}' by {action.actor} refused: {outcome.message}"
            log.info("action refused", dossier_item_id=instance.dossier_item_id, reason=str(outcome.reason_code))
            return [status_record(self.topics, instance, StatusCode(instance.status_code), detail,
                                  reason_code=str(outcome.reason_code))]
        await repository.remember_action(action.action_id, instance.dossier_item_id, "applied")
        await repository.save_state(instance.dossier_item_id, state=outcome.state, status_code=int(outcome.status_code),
                                    detail=_describe(outcome), publication_id=instance.publication_id,
                                    task_changed=outcome.from_task != outcome.to_task)
        await repository.audit(instance.dossier_item_id, actor=action.actor, action=action.action,
                               action_id=action.action_id, from_task=outcome.from_task, to_task=outcome.to_task,
                               from_status=instance.status_code, to_status=int(outcome.status_code),
                               comment=action.comment, workflow_name=outcome.state.workflow,
                               publication_id=instance.publication_id)
        events = [status_record(self.topics, instance, outcome.status_code, _describe(outcome))]
        if outcome.outcome is Outcome.APPROVED and outcome.status_code != instance.status_code:
            events.append(self._approved(instance, action.actor))
        return events

    async def _decide(self, repository: WorkflowRepository, instance: Instance, action: WorkflowAction):
        if instance.state is None:
            return ActionRefusal("not_running", "the item is not in a workflow yet (it waits for a route)")
        config = await self._publication(repository, instance.publication_id)
        directory = (await self._latest(repository)).directory
        request = ActionRequest(action_id=action.action_id, task=action.task, action=action.action, actor=action.actor,
                                comment=action.comment, assignees=tuple(action.assignees))
        return decide(config.workflows[instance.state.workflow], instance.state, request, directory)

    def _approved(self, instance: Instance, approved_by: str) -> OutboxRecord:
        item = DossierItemCreated.model_validate(instance.item)
        message = MessageApproved(dossier_item_id=item.dossier_item_id, message_id=item.message_id, source=item.source,
                                  message_type=item.message_type, identity=item.identity, document=item.document,
                                  approved_by=approved_by, approved_at=self.clock())
        return OutboxRecord.of(self.topics.approved, item.dossier_item_id, message)

    async def _publication(self, repository: WorkflowRepository, publication_id: int) -> PublishedConfig:
        if publication_id not in self._publications:  # publications never change, so caching is safe
            self._publications[publication_id] = await repository.publication(publication_id)
        return self._publications[publication_id]

    async def _latest(self, repository: WorkflowRepository) -> PublishedConfig | None:
        latest = await repository.latest_publication_id()
        return None if latest is None else await self._publication(repository, latest)


async def route(repository: WorkflowRepository, topics: Topics, instance: Instance,
                config: PublishedConfig | None) -> list[OutboxRecord]:
    """Start the item's workflow, or leave it waiting at 20 with the reason."""
    name = choose_workflow(config.routes, instance.message_type, instance.characteristics) if config else None
    if name is None:
        detail = f"no route for message type {instance.message_type}"
        await repository.set_waiting(instance.dossier_item_id, detail)
        return [status_record(topics, instance, StatusCode.PROCESSING, detail)]
    state = start(config.workflows[name], config.id)
    detail = f"workflow {name}, task {state.current_task}"
    await repository.save_state(instance.dossier_item_id, state=state, status_code=int(StatusCode.IN_WORKFLOW),
                                detail=detail, publication_id=config.id, task_changed=True)
    await repository.audit(instance.dossier_item_id, actor=SYSTEM_ACTOR, action=START_ACTION, action_id=None,
                           from_task=None, to_task=state.current_task, from_status=instance.status_code,
                           to_status=int(StatusCode.IN_WORKFLOW), comment="", workflow_name=name,
                           publication_id=config.id)
    return [status_record(topics, instance, StatusCode.IN_WORKFLOW, detail)]


async def publish(conn, folder: ConfigFolder, topics: Topics, *, published_by: str) -> tuple[Publication, int]:
    """Validate the whole folder; when clean, store it as the new publication and route the waiting items.
    Returns the publication (its problems, if any) and how many waiting items were routed."""
    publication = check_config(folder)
    if not publication.ok:
        return publication, 0
    async with conn.transaction():
        repository = WorkflowRepository(conn)
        publication_id = await repository.add_publication(publication, published_by=published_by)
        config = await repository.publication(publication_id)
        events = []
        waiting = await repository.unrouted()
        for instance in waiting:
            events += await route(repository, topics, instance, config)
        await outbox.append(conn, SCHEMA, events)
    routed = sum(1 for e in events if b'"status_code":30' in e.value)
    return publication, routed


def status_record(topics: Topics, instance: Instance, code: StatusCode, detail: str, **fields) -> OutboxRecord:
    event = StatusEvent.of(code, message_id=instance.message_id, source=instance.source,
                           dossier_item_id=instance.dossier_item_id, occurred_at=_now(), detail=detail, **fields)
    return OutboxRecord.of(topics.status, instance.message_id, event)


def _describe(transition) -> str:
    where = f"task {transition.to_task}" if transition.to_task else f"{transition.outcome}"
    return f"{transition.action} by {transition.actor}; {where}"


def _readable(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'record'}: {e['msg']}" for e in error.errors())
