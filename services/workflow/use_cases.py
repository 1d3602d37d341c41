"""Workflow's use cases: start (or park) new dossier items, apply people's actions and set-up commands.

Each runs in one transaction with its audit rows and its outbox records, so
every status event and approved message describes committed state. Deadlines
and escalation run beside these, in ``escalation``.
"""

from collections.abc import Callable, Sequence
from datetime import datetime

import structlog
from aiokafka import ConsumerRecord

from services.workflow.actions import ActionHandler
from services.workflow.publications import PublicationCache
from services.workflow.records import utc_now
from services.workflow.repository import WorkflowRepository
from services.workflow.routing import ARRIVAL, route, task_events
from services.workflow.setup import SetupCommands
from shared import dead_letters, metrics
from shared.contracts.items import DossierItemCreated
from shared.db.outbox import OutboxRecord
from shared.db.unit_of_work import UnitOfWork
from shared.topics import Topics

log = structlog.get_logger(__name__)


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
        self.setup = SetupCommands(topics, group_id, clock)

    async def take(self, records: Sequence[ConsumerRecord]) -> None:
        """A batch of dossier.items, workflow.actions and set-up commands, in one transaction. Items before
        actions: an action in the batch may be about an item the batch creates. New items are started (or parked
        at 20 for a route); actions become transitions, refusals and dead letters; set-up commands publications
        or the reasons they were not."""
        if not records:
            return
        tally: list[tuple[str, str]] = []
        async with self.unit_of_work() as uow:
            fresh = await uow.claim(records)
            uow.publish(
                await self._take_items(uow.repository, [r for r in fresh if r.topic == self.topics.dossier_items])
            )
            setup = [r for r in fresh if self.topics.is_setup(r.topic)]
            actions = [r for r in fresh if r.topic != self.topics.dossier_items and r not in setup]
            if actions:
                uow.publish(await self.actions.apply(uow.repository, actions, tally))
            if setup:  # after the batch's items and actions: those were sent under the configuration before it
                uow.publish(await self.setup.apply(uow.repository, setup))
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
            events += await route(repository, tasks, instances, config, now=self.clock(), cause=ARRIVAL)
        return events
