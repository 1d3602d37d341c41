"""Workflow's use cases: start (or park) new dossier items, apply people's actions, publish configuration.

Each runs in one transaction with its audit rows and its outbox records, so
every status event and approved message describes committed state. Deadlines
and escalation run beside these, in ``escalation``.
"""

from collections.abc import Callable, Sequence
from datetime import datetime

import structlog
from aiokafka import ConsumerRecord

from services.workflow.actions import ActionHandler
from services.workflow.domain import (
    ConfigFolder,
    Directory,
    Publication,
    check_config,
    choose_workflow,
    escalation_due,
    start,
)
from services.workflow.publications import PublicationCache
from services.workflow.records import status_records, utc_now
from services.workflow.repository import (
    AuditEntry,
    Instance,
    PublishedConfig,
    StateChange,
    WorkflowRepository,
)
from services.workflow.tasks import TaskEvents
from shared import dead_letters, metrics
from shared.contracts.items import DossierItemCreated
from shared.contracts.status import StatusCode
from shared.db import outbox
from shared.db.outbox import OutboxRecord
from shared.db.pool import Connection
from shared.db.unit_of_work import UnitOfWork
from shared.topics import Topics

log = structlog.get_logger(__name__)

SCHEMA = "workflow"
SYSTEM_ACTOR = "accordeer"
START_ACTION = "Workflow gestart"
ROUTING_PAGE = 500
"""Waiting items a publication routes per round: their rows (documents included) are loaded a page at a time."""


class Workflow:
    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork[WorkflowRepository]],
        topics: Topics,
        group_id: str,
        *,
        publications: PublicationCache | None = None,
        clock: Callable[[], datetime] = utc_now,
    ):
        self.unit_of_work = unit_of_work
        self.topics = topics
        self.group_id = group_id
        self.clock = clock
        self.publications = publications or PublicationCache()
        self.actions = ActionHandler(topics, self.publications, clock)

    async def take(self, records: Sequence[ConsumerRecord]) -> None:
        """A batch of dossier.items and workflow.actions, in one transaction. Items before actions: an action in
        the batch may be about an item the batch creates. New items are started (or parked at 20 for a route);
        actions become transitions, refusals and dead letters."""
        if not records:
            return
        tally: list[tuple[str, str]] = []
        async with self.unit_of_work() as uow:
            fresh = await uow.claim(records)
            uow.publish(
                await self._take_items(uow.repository, [r for r in fresh if r.topic == self.topics.dossier_items])
            )
            actions = [r for r in fresh if r.topic != self.topics.dossier_items]
            if actions:
                uow.publish(await self.actions.apply(uow.repository, actions, tally))
        for action, outcome in tally:  # after the commit: a batch retried is counted once
            metrics.WORKFLOW_ACTIONS.labels(action=action, outcome=outcome).inc()

    async def _take_items(self, repository: WorkflowRepository, records: list[ConsumerRecord]) -> list[OutboxRecord]:
        """Instances for new items, each started or waiting for a route; a record that is not a dossier item goes
        to dossier.items.dlq."""
        if not records:
            return []
        await repository.hold_publications()
        items: list[DossierItemCreated] = []
        events: list[OutboxRecord] = []
        for record in records:
            item = dead_letters.read_as(DossierItemCreated, record, refused_by=self.group_id)
            if isinstance(item, DossierItemCreated):
                items.append(item)
            else:
                events.append(item)
        new_ids = await repository.add_instances(
            [
                (
                    i.dossier_item_id,
                    i.message_id,
                    i.source,
                    i.message_type,
                    i.characteristics,
                    i.model_dump(mode="json"),
                )
                for i in items
            ]
        )
        if new_ids:
            config = await self.publications.latest(repository)
            instances = await repository.instances(sorted(new_ids))
            tasks = await task_events(repository, self.topics, config, instances)
            events += await route(repository, tasks, instances, config, now=self.clock())
        return events


async def task_events(
    repository: WorkflowRepository, topics: Topics, config: PublishedConfig | None, instances: Sequence[Instance]
) -> TaskEvents:
    """Task events for these instances, with their destinations read once for all."""
    parties = await repository.parties({i.item["organisation_person_id"] for i in instances})
    return TaskEvents(topics, config.directory if config else Directory(), parties)


async def route(
    repository: WorkflowRepository,
    tasks: TaskEvents,
    instances: Sequence[Instance],
    config: PublishedConfig | None,
    *,
    now: datetime,
) -> list[OutboxRecord]:
    """Start each item's workflow, or leave it waiting at 20 with the reason; the rows of all in a few statements."""
    topics = tasks.topics
    events: list[OutboxRecord] = []
    waiting: list[tuple[str, str]] = []
    started: list[StateChange] = []
    audits: list[AuditEntry] = []
    for instance in instances:
        name = choose_workflow(config.routes, instance.message_type, instance.characteristics) if config else None
        if config is None or name is None:
            detail = f"no route for message type {instance.message_type}"
            waiting.append((instance.dossier_item_id, detail))
            events += status_records(topics, instance, StatusCode.PROCESSING, detail, at=now)
            continue
        state = start(config.workflows[name], config.id)
        detail = f"workflow {name}, task {state.current_task}"
        started.append(
            StateChange(
                instance.dossier_item_id,
                state,
                int(StatusCode.IN_WORKFLOW),
                detail,
                config.id,
                task_started_at=now,
                task_due_at=escalation_due(config.workflows[name], state, now),
            )
        )
        audits.append(
            AuditEntry(
                instance.dossier_item_id,
                actor=SYSTEM_ACTOR,
                action=START_ACTION,
                action_id=None,
                from_task=None,
                to_task=state.current_task,
                from_status=instance.status_code,
                to_status=int(StatusCode.IN_WORKFLOW),
                comment="",
                workflow_name=name,
                publication_id=config.id,
                at=now,
            )
        )
        events += [
            *status_records(topics, instance, StatusCode.IN_WORKFLOW, detail, at=now),
            tasks.opened(instance, config.workflows[name], state, at=now),
        ]
    await repository.set_waiting(waiting)
    await repository.save_states(started)
    await repository.audit(audits)
    return events


async def publish(
    conn: Connection,
    folder: ConfigFolder,
    topics: Topics,
    *,
    published_by: str,
    clock: Callable[[], datetime] = utc_now,
) -> tuple[Publication, int]:
    """Validate the whole folder; when clean, store it as the new publication and route the waiting items.
    Returns the publication (its problems, if any) and how many waiting items were routed."""
    publication = check_config(folder)
    if not publication.ok:
        return publication, 0
    async with conn.transaction():
        repository = WorkflowRepository(conn)
        publication_id = await repository.add_publication(publication, published_by=published_by)
        config = await repository.publication(publication_id)
        routable = [
            item_id
            for item_id, message_type, characteristics in await repository.unrouted()
            if choose_workflow(config.routes, message_type, characteristics) is not None
        ]
        for start_at in range(0, len(routable), ROUTING_PAGE):  # those still without a route keep waiting
            instances = await repository.instances(routable[start_at : start_at + ROUTING_PAGE])
            tasks = await task_events(repository, topics, config, instances)
            await outbox.append(conn, SCHEMA, await route(repository, tasks, instances, config, now=clock()))
    return publication, len(routable)
