"""Deadlines: a background loop that hands overdue tasks to their workflow's task manager.

A round reads the running instances without locks and asks the domain which
tasks are overdue; it then locks those rows with SKIP LOCKED and asks again on
the fresh rows. So with several workflow processes, a row another process (or
an action) holds is left for a later round, and an item already escalated is
never escalated twice. Each escalation stores the new assignees, an audit row
and a status event (still 30) in one transaction.
"""

from collections.abc import Callable
from datetime import datetime

import structlog

from services.workflow.domain import escalate
from services.workflow.publications import PublicationCache
from services.workflow.records import status_records, utc_now
from services.workflow.repository import AuditEntry, Instance, StateChange, WorkflowRepository
from services.workflow.routing import SYSTEM_ACTOR, task_events
from services.workflow.tasks import TaskEvents
from shared.contracts.status import StatusCode
from shared.contracts.tasks import TaskEventKind
from shared.db.outbox import OutboxRecord
from shared.db.unit_of_work import UnitOfWork
from shared.loops import run_forever
from shared.topics import Topics

log = structlog.get_logger(__name__)

ESCALATE_ACTION = "Escalatie naar taakmanager"


class Escalations:
    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork[WorkflowRepository]],
        topics: Topics,
        publications: PublicationCache,
        *,
        clock: Callable[[], datetime] = utc_now,
        batch_size: int = 100,
    ):
        self.unit_of_work = unit_of_work
        self.topics = topics
        self.publications = publications
        self.clock = clock
        self.batch_size = batch_size

    async def run_forever(self, interval_seconds: float) -> None:
        async def one_round() -> float:
            await self.escalate_due()
            return interval_seconds

        await run_forever("escalating overdue tasks", one_round, pause=interval_seconds)

    async def escalate_due(self) -> int:
        """One round; returns how many tasks this process escalated."""
        now = self.clock()
        due = await self._overdue(now)
        escalated = 0
        for first in range(0, len(due), self.batch_size):
            escalated += await self._escalate(due[first : first + self.batch_size], now)
        if escalated:
            log.info("tasks escalated to their task manager", count=escalated)
        return escalated

    async def _overdue(self, now: datetime) -> list[str]:
        async with self.unit_of_work() as uow:
            repository = uow.repository
            due: list[str] = []
            never: list[str] = []
            for task in await repository.due_tasks(now):
                config = await self.publications.get(repository, task.publication_id)
                overdue = escalate(config.workflows[task.state.workflow], task.state, task.task_started_at, now)
                (due if overdue else never).append(task.dossier_item_id)
            await repository.never_due(never, due_by=now)
            return due

    async def _escalate(self, ids: list[str], now: datetime) -> int:
        async with self.unit_of_work() as uow:
            repository = uow.repository
            instances = await repository.instances(ids, skip_locked=True)
            tasks = await task_events(repository, self.topics, await self.publications.latest(repository), instances)
            escalated = 0
            for instance in instances:
                found = await self._escalate_one(repository, tasks, instance, now)
                escalated += bool(found)
                uow.publish(found)
        return escalated

    async def _escalate_one(
        self, repository: WorkflowRepository, tasks: TaskEvents, instance: Instance, now: datetime
    ) -> list[OutboxRecord]:
        if instance.status_code != StatusCode.IN_WORKFLOW or instance.state is None:
            return []  # ended since the candidates were read
        started_at = instance.task_started_at
        assert started_at is not None, "a task's start is stored with the state"
        config = await self.publications.get(repository, instance.started_on)
        escalation = escalate(config.workflows[instance.state.workflow], instance.state, started_at, now)
        if escalation is None:
            return []  # acted on or escalated since the candidates were read
        await repository.save_states(
            [
                StateChange(
                    instance.dossier_item_id,
                    escalation.state,
                    int(StatusCode.IN_WORKFLOW),
                    escalation.message,
                    instance.started_on,
                    task_started_at=None,
                )
            ]
        )
        await repository.audit(
            [
                AuditEntry(
                    instance.dossier_item_id,
                    actor=SYSTEM_ACTOR,
                    action=ESCALATE_ACTION,
                    action_id=None,
                    from_task=escalation.task,
                    to_task=escalation.task,
                    from_status=instance.status_code,
                    to_status=int(StatusCode.IN_WORKFLOW),
                    comment=escalation.message,
                    workflow_name=instance.state.workflow,
                    publication_id=instance.publication_id,
                    at=now,
                )
            ]
        )
        return [
            *status_records(self.topics, instance, StatusCode.IN_WORKFLOW, escalation.message, at=now),
            tasks.opened(
                instance,
                config.workflows[instance.state.workflow],
                escalation.state,
                at=now,
                kind=TaskEventKind.ESCALATED,
                before=instance.state,
                started_at=instance.task_started_at,
            ),
        ]
