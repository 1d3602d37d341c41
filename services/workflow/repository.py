"""Workflow's tables (schema ``workflow``): publications, instances, applied actions and the audit trail."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeAlias

import asyncpg

from services.workflow.domain import (
    ConfigFolder,
    Directory,
    InstanceState,
    Publication,
    RouteRule,
    WorkflowDefinition,
)
from services.workflow.domain.export import folder_of
from shared.contracts.directory import Party
from shared.contracts.record import READ_BACK
from shared.contracts.setup import SetupOutcome
from shared.contracts.status import StatusCode
from shared.contracts.summary import DeclarationSummary
from shared.db.pool import Connection
from shared.directory import store

"""A connection of its own (the CLI, tests) or one lent by the pool (a unit of work)."""

NewInstance: TypeAlias = tuple[str, str, str, str, dict[str, str], dict[str, Any]]
"""(dossier_item_id, message_id, source, message_type, characteristics, item as JSON)."""


class StaleState(RuntimeError):
    """A state decided on a step that is no longer the stored one; the batch is retried and decided again."""


@dataclass(frozen=True)
class PublishedConfig:
    """One publication as stored: immutable, so instances started on it keep it."""

    id: int
    workflows: dict[str, WorkflowDefinition]
    routes: tuple[RouteRule, ...]
    directory: Directory
    item_type: dict[str, str] = field(default_factory=dict)
    """The item type's own files (reaction templates, settings) as published."""

    def folder(self) -> ConfigFolder:
        """This version as a configuration folder, as `accordeer workflows export` writes it."""
        return folder_of(self.workflows, self.routes, self.directory, self.item_type)


@dataclass(frozen=True)
class Instance:
    dossier_item_id: str
    message_id: str
    source: str
    message_type: str
    characteristics: dict[str, str]
    item: dict[str, Any]
    """The ``DossierItemCreated`` as JSON."""
    status_code: int
    publication_id: int | None
    state: InstanceState | None
    task_started_at: datetime | None

    @property
    def started_on(self) -> int:
        """The publication its workflow started on; only for an instance in a workflow (stored with its state)."""
        if self.publication_id is None:
            raise ValueError(f"dossier item {self.dossier_item_id} has not started a workflow")
        return self.publication_id


@dataclass(frozen=True)
class StateChange:
    """An instance's new state (step n, stored only over step n - 1) and what it shows."""

    dossier_item_id: str
    state: InstanceState
    status_code: int
    detail: str
    publication_id: int
    task_started_at: datetime | None
    """None keeps the current task's start, from which its deadline counts."""
    task_due_at: datetime | None = None
    """When the current task is to be escalated; None: never (``domain.escalation_due``)."""
    over_step: int | None = None
    """The step stored now, which this state replaces; by default the one before ``state``'s (several steps of
    one item in one batch are stored as their last state over the first one's predecessor)."""


@dataclass(frozen=True)
class AuditEntry:
    """One transition as the audit trail keeps it; ``operator`` acted on behalf of ``actor`` (the CLI), or None;
    ``writer`` is who proved to have written the action (the portal, an operator principal), None for the
    system's own moves."""

    dossier_item_id: str
    actor: str
    action: str
    action_id: str | None
    from_task: str | None
    to_task: str | None
    from_status: int | None
    to_status: int
    comment: str
    workflow_name: str | None
    publication_id: int | None
    at: datetime
    operator: str | None = None
    writer: str | None = None
    statement: str | None = None
    """What the person confirmed before approving a filing (the portal's confirmation), and when."""
    confirmed_at: datetime | None = None


@dataclass(frozen=True)
class RunningTask:
    """Just enough of a running instance to tell whether its current task is overdue."""

    dossier_item_id: str
    publication_id: int
    state: InstanceState
    task_started_at: datetime


class WorkflowRepository:
    """Every method runs on the connection given, inside the caller's transaction."""

    def __init__(self, conn: Connection):
        self.conn = conn

    async def parties(self, ids: Iterable[str]) -> dict[str, Party]:
        """Workflow's copy of the directory entries among ``ids``."""
        return await store.parties(self.conn, "workflow", ids)

    async def latest_publication_id(self) -> int | None:
        latest: int | None = await self.conn.fetchval("SELECT max(id) FROM workflow.publications")
        return latest

    async def publications(self, *, limit: int = 20) -> list[asyncpg.Record]:
        """The newest ``limit`` publications, newest first: id, published_at, published_by."""
        return await self.conn.fetch(
            "SELECT id, published_at, published_by FROM workflow.publications ORDER BY id DESC LIMIT $1", limit
        )

    async def is_publication(self, publication_id: int) -> bool:
        return bool(await self.conn.fetchval("SELECT 1 FROM workflow.publications WHERE id = $1", publication_id))

    async def publication(self, publication_id: int) -> PublishedConfig:
        row = await self.conn.fetchrow("SELECT * FROM workflow.publications WHERE id = $1", publication_id)
        assert row is not None, f"publication {publication_id} is not stored"  # ids come from the table itself
        return PublishedConfig(
            id=row["id"],
            workflows={name: WorkflowDefinition.from_document(d) for name, d in row["definitions"].items()},
            routes=tuple(RouteRule.model_validate(r) for r in row["routes"]),
            directory=Directory({g: frozenset(m) for g, m in row["directory"].items()}),
            item_type=dict(row["item_type_files"] or {}),
        )

    async def lock_publications(self) -> None:
        """Until the transaction ends, no one else publishes: two publishers at once would otherwise both route
        the same waiting items, or both build on the same version."""
        await self.conn.execute("LOCK TABLE workflow.publications IN EXCLUSIVE MODE")

    async def add_publication(self, publication: Publication, *, published_by: str, writer: str | None = None) -> int:
        await self.lock_publications()
        publication_id: int = await self.conn.fetchval(
            "INSERT INTO workflow.publications (published_by, writer, definitions, routes, directory,"
            " item_type_files, announced) VALUES ($1, $2, $3, $4, $5, $6, true) RETURNING id",
            published_by,
            writer,
            {name: w.as_document() for name, w in publication.workflows.items()},
            [r.model_dump(mode="json", exclude_defaults=True) for r in publication.routes],
            {g: sorted(m) for g, m in publication.directory.groups.items()},
            dict(publication.item_type),
        )
        return publication_id

    async def unannounced_latest(self) -> asyncpg.Record | None:
        """The newest publication when it was never announced on workflow.setup.outcomes (one made before
        versions were), locked until the transaction ends; else None."""
        row: asyncpg.Record | None = await self.conn.fetchrow(
            "SELECT id, published_by, writer, published_at FROM workflow.publications"
            " WHERE id = (SELECT max(id) FROM workflow.publications) AND NOT announced FOR UPDATE"
        )
        return row

    async def mark_announced(self, publication_id: int) -> None:
        await self.conn.execute("UPDATE workflow.publications SET announced = true WHERE id = $1", publication_id)

    async def setup_decided(self, command_id: str) -> bool:
        """Whether the set-up command was decided before (a command read again is not applied twice)."""
        return bool(await self.conn.fetchval("SELECT 1 FROM workflow.setup_outcomes WHERE command_id = $1", command_id))

    async def remember_setup(self, outcome: SetupOutcome) -> None:
        await self.conn.execute(
            "INSERT INTO workflow.setup_outcomes"
            " (command_id, writer, actor, decided_at, version, superseded_by, problems, routed)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            outcome.command_id,
            outcome.writer,
            outcome.actor,
            outcome.occurred_at,
            outcome.version,
            outcome.superseded_by,
            [p.model_dump(mode="json") for p in outcome.problems],
            outcome.routed,
        )

    async def hold_publications(self) -> None:
        """Until the transaction ends, no publication can be added (several holders at once are fine).

        A new item is routed by the latest publication; a publication committed between reading it and
        committing the item would not see the item either, and it would wait unrouted. The foreign key of
        instances happens to take a weaker lock on publications too; this does not depend on that.
        """
        await self.conn.execute("LOCK TABLE workflow.publications IN SHARE MODE")

    async def add_instances(self, rows: list[NewInstance]) -> set[str]:
        """Rows of (dossier_item_id, message_id, source, message_type, characteristics, item); returns the ids
        that are new (an item seen before is left as it is)."""
        if not rows:
            return set()
        inserted = await self.conn.fetch(
            "INSERT INTO workflow.instances (dossier_item_id, message_id, source, message_type, characteristics,"
            " item, status_code) SELECT x.id, x.m, x.s, x.t, x.c, x.i, 20"
            " FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[])"
            " AS x(id, m, s, t, c, i) ON CONFLICT (dossier_item_id) DO NOTHING RETURNING dossier_item_id",
            *map(list, zip(*rows, strict=True)),
        )
        return {str(r["dossier_item_id"]) for r in inserted}

    async def unrouted(self) -> list[tuple[str, str, dict[str, str]]]:
        """(dossier_item_id, message_type, characteristics) of each item waiting for a route, oldest first: enough to
        choose a route, without the documents."""
        rows = await self.conn.fetch(
            "SELECT dossier_item_id, message_type, characteristics FROM workflow.instances"
            " WHERE publication_id IS NULL ORDER BY created_at"
        )
        return [(str(r["dossier_item_id"]), r["message_type"], r["characteristics"]) for r in rows]

    async def instances(self, ids: list[str], *, skip_locked: bool = False) -> list[Instance]:
        """Locked; with ``skip_locked`` the ones another transaction holds are left out."""
        rows = await self.conn.fetch(
            "SELECT * FROM workflow.instances WHERE dossier_item_id = ANY($1::uuid[]) ORDER BY dossier_item_id"
            " FOR UPDATE" + (" SKIP LOCKED" if skip_locked else ""),
            ids,
        )
        return [_instance(r) for r in rows]

    async def due_tasks(self, now: datetime) -> list[RunningTask]:
        """Instances in a workflow (status 30) whose task is due to be escalated by ``now`` (by index), unlocked:
        candidates to check, not to change."""
        rows = await self.conn.fetch(
            "SELECT dossier_item_id, publication_id, state, task_started_at FROM workflow.instances"
            " WHERE task_due_at <= $1 AND status_code = $2 AND state IS NOT NULL AND task_started_at IS NOT NULL",
            now,
            int(StatusCode.IN_WORKFLOW),
        )
        return [
            RunningTask(
                str(r["dossier_item_id"]),
                r["publication_id"],
                InstanceState.from_document(r["state"]),
                r["task_started_at"],
            )
            for r in rows
        ]

    async def never_due(self, ids: list[str], *, due_by: datetime) -> None:
        """These instances' tasks, due by ``due_by``, will not be escalated (the task manager holds them already,
        say); a task that became current since then has a later due time and keeps it."""
        if ids:
            await self.conn.execute(
                "UPDATE workflow.instances SET task_due_at = NULL"
                " WHERE dossier_item_id = ANY($1::uuid[]) AND task_due_at <= $2",
                ids,
                due_by,
            )

    async def instance(self, dossier_item_id: str, *, for_update: bool = True) -> Instance | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM workflow.instances WHERE dossier_item_id = $1" + (" FOR UPDATE" if for_update else ""),
            dossier_item_id,
        )
        return _instance(row) if row else None

    async def save_states(self, changes: list[StateChange]) -> None:
        """Store each state of step n only over step n - 1 (a start, step 0, only over none): two decisions made
        on the same state can then never both be kept. The row lock already makes that so; this makes it certain.
        One statement for the whole batch."""
        if not changes:
            return
        updated = await self.conn.fetch(
            "UPDATE workflow.instances i SET state = x.state, status_code = x.code, detail = x.detail,"
            " publication_id = x.publication, workflow_name = x.state->>'workflow',"
            " task_started_at = coalesce(x.started, i.task_started_at), task_due_at = x.due,"
            " revision = i.revision + 1, updated_at = now()"
            " FROM unnest($1::uuid[], $2::jsonb[], $3::int[], $4::text[], $5::bigint[], $6::timestamptz[], $7::int[],"
            "             $8::timestamptz[])"
            " AS x(id, state, code, detail, publication, started, previous_step, due)"
            " WHERE i.dossier_item_id = x.id AND coalesce((i.state->>'step')::int, -1) = x.previous_step"
            " RETURNING i.dossier_item_id",
            [c.dossier_item_id for c in changes],
            [c.state.as_document() for c in changes],
            [c.status_code for c in changes],
            [c.detail for c in changes],
            [c.publication_id for c in changes],
            [c.task_started_at for c in changes],
            [c.state.step - 1 if c.over_step is None else c.over_step for c in changes],
            [c.task_due_at for c in changes],
        )
        if stale := {c.dossier_item_id for c in changes} - {str(r["dossier_item_id"]) for r in updated}:
            raise StaleState(f"dossier item(s) {', '.join(sorted(stale))} moved on before their new step was stored")

    async def set_waiting(self, waiting: list[tuple[str, str]]) -> None:
        """(dossier_item_id, detail) of items that wait for a route."""
        if waiting:
            await self.conn.execute(
                "UPDATE workflow.instances i SET detail = x.detail, updated_at = now()"
                " FROM unnest($1::uuid[], $2::text[]) AS x(id, detail) WHERE i.dossier_item_id = x.id",
                [w[0] for w in waiting],
                [w[1] for w in waiting],
            )

    async def seen_actions(self, action_ids: Iterable[str]) -> set[str]:
        """Of these action ids, those applied or refused before."""
        rows = await self.conn.fetch(
            "SELECT action_id FROM workflow.applied_actions WHERE action_id = ANY($1::text[])", list(action_ids)
        )
        return {r["action_id"] for r in rows}

    async def remember_actions(self, outcomes: list[tuple[str, str, str]]) -> None:
        """(action_id, dossier_item_id, outcome) of actions decided in this transaction."""
        if outcomes:
            await self.conn.execute(
                "INSERT INTO workflow.applied_actions (action_id, dossier_item_id, outcome)"
                " SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[]) ON CONFLICT DO NOTHING",
                *map(list, zip(*outcomes, strict=True)),
            )

    async def audit(self, entries: list[AuditEntry]) -> None:
        if entries:
            await self.conn.executemany(
                "INSERT INTO workflow.audit (dossier_item_id, actor, action, action_id, from_task, to_task,"
                " from_status, to_status, comment, workflow_name, publication_id, at, operator, writer, statement,"
                " confirmed_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)",
                [
                    (
                        e.dossier_item_id,
                        e.actor,
                        e.action,
                        e.action_id,
                        e.from_task,
                        e.to_task,
                        e.from_status,
                        e.to_status,
                        e.comment,
                        e.workflow_name,
                        e.publication_id,
                        e.at,
                        e.operator,
                        e.writer,
                        e.statement,
                        e.confirmed_at,
                    )
                    for e in entries
                ],
            )

    async def summary(self, dossier_item_id: str) -> DeclarationSummary | None:
        """What the client approves, as intake read it from the document."""
        document = await self.conn.fetchval(
            "SELECT item->'summary' FROM workflow.instances WHERE dossier_item_id = $1", dossier_item_id
        )
        return DeclarationSummary.model_validate(document, context=READ_BACK) if document else None

    async def history(self, dossier_item_id: str) -> list[dict[str, Any]]:
        rows = await self.conn.fetch(
            "SELECT at, actor, operator, writer, action, action_id, from_task, to_task, from_status, to_status,"
            " comment, workflow_name, publication_id, statement, confirmed_at FROM workflow.audit"
            " WHERE dossier_item_id = $1 ORDER BY id",
            dossier_item_id,
        )
        return [dict(r) for r in rows]


def _instance(row: asyncpg.Record) -> Instance:
    return Instance(
        dossier_item_id=str(row["dossier_item_id"]),
        message_id=row["message_id"],
        source=row["source"],
        message_type=row["message_type"],
        characteristics=row["characteristics"],
        item=row["item"],
        status_code=row["status_code"],
        publication_id=row["publication_id"],
        state=InstanceState.from_document(row["state"]) if row["state"] else None,
        task_started_at=row["task_started_at"],
    )
