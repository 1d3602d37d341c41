"""Workflow's tables in memory, behind the same unit of work as PostgreSQL: for fast tests of routing, actions and
deadlines."""

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from services.workflow.domain import Publication
from services.workflow.repository import AuditEntry, Instance, PublishedConfig, RunningTask, StaleState, StateChange
from shared.contracts.directory import Party
from shared.contracts.status import StatusCode
from tests.support.unit_of_work import InMemoryUnitOfWork, Tables


@dataclass
class WorkflowTables(Tables):
    publications: dict[int, PublishedConfig] = field(default_factory=dict)
    instances: dict[str, Instance] = field(default_factory=dict)
    applied_actions: dict[str, str] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    parties: dict[str, Party] = field(default_factory=dict)
    task_due_at: dict[str, datetime] = field(default_factory=dict)


class InMemoryWorkflowRepository:
    """What `WorkflowRepository` does, on `Tables` (locks are moot: one test runs one batch at a time)."""

    def __init__(self, tables: WorkflowTables):
        self.tables = tables

    async def parties(self, ids) -> dict[str, Party]:
        return {i: self.tables.parties[i] for i in ids if i in self.tables.parties}

    async def latest_publication_id(self) -> int | None:
        return max(self.tables.publications, default=None)

    async def publication(self, publication_id: int) -> PublishedConfig:
        return self.tables.publications[publication_id]

    async def hold_publications(self) -> None:
        pass

    async def add_instances(self, rows: list[tuple]) -> set[str]:
        new = set()
        for item_id, message_id, source, message_type, characteristics, item in rows:
            if item_id not in self.tables.instances:
                self.tables.instances[item_id] = Instance(
                    item_id,
                    message_id,
                    source,
                    message_type,
                    characteristics,
                    item,
                    int(StatusCode.PROCESSING),
                    None,
                    None,
                    None,
                )
                new.add(item_id)
        return new

    async def instances(self, ids: list[str], *, skip_locked: bool = False) -> list[Instance]:
        return [self.tables.instances[i] for i in sorted(ids) if i in self.tables.instances]

    async def due_tasks(self, now: datetime) -> list[RunningTask]:
        due = []
        for i in self.tables.instances.values():
            if (
                i.status_code == StatusCode.IN_WORKFLOW
                and i.state
                and i.task_started_at
                and self.tables.task_due_at.get(i.dossier_item_id, now + timedelta(1)) <= now
            ):
                assert i.publication_id is not None, "a state is saved with the publication it runs under"
                due.append(RunningTask(i.dossier_item_id, i.publication_id, i.state, i.task_started_at))
        return due

    async def never_due(self, ids: list[str], *, due_by: datetime) -> None:
        for item_id in ids:
            if self.tables.task_due_at.get(item_id, due_by + timedelta(1)) <= due_by:
                del self.tables.task_due_at[item_id]

    async def save_states(self, changes: list[StateChange]) -> None:
        for change in changes:
            instance = self.tables.instances[change.dossier_item_id]
            stored_step = instance.state.step if instance.state else -1
            over = change.state.step - 1 if change.over_step is None else change.over_step
            if stored_step != over:
                raise StaleState(f"dossier item {change.dossier_item_id} moved on")
            self.tables.instances[change.dossier_item_id] = replace(
                instance,
                state=change.state,
                status_code=change.status_code,
                publication_id=change.publication_id,
                task_started_at=change.task_started_at or instance.task_started_at,
            )
            self.tables.task_due_at.pop(change.dossier_item_id, None)
            if change.task_due_at is not None:
                self.tables.task_due_at[change.dossier_item_id] = change.task_due_at

    async def set_waiting(self, waiting: list[tuple[str, str]]) -> None:
        pass  # the detail is not read back by the use cases

    async def seen_actions(self, action_ids) -> set[str]:
        return {a for a in action_ids if a in self.tables.applied_actions}

    async def remember_actions(self, outcomes: list[tuple[str, str, str]]) -> None:
        for action_id, _, outcome in outcomes:
            self.tables.applied_actions.setdefault(action_id, outcome)

    async def audit(self, entries: list[AuditEntry]) -> None:
        self.tables.audit.extend(entries)


def units_of_work(tables: "WorkflowTables"):
    return lambda: InMemoryUnitOfWork(tables, InMemoryWorkflowRepository)


def published(publication: Publication, publication_id: int = 1) -> PublishedConfig:
    """A checked configuration folder as it is stored."""
    assert publication.ok, publication.report()
    return PublishedConfig(
        id=publication_id,
        workflows=dict(publication.workflows),
        routes=tuple(publication.routes),
        directory=publication.directory,
    )
