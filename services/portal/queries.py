"""What the pages read from the portal's read model: a viewer's inbox, one item, its history."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asyncpg import Record
from asyncpg.pool import PoolConnectionProxy

from services.portal.access import ItemView, OpenTask, Viewer

CLIENT_NAME = (
    "(SELECT p.party->>'name' FROM portal.parties p"
    " WHERE p.organisation_person_id = i.organisation_person_id AND NOT p.removed) AS client_name"
)
"""The item's client as the directory names it (none for a client the directory does not hold)."""
ITEM_SELECT = (
    f"SELECT i.*, t.task, t.assignees, t.actions, t.due_at, t.assignment_note, {CLIENT_NAME}"
    " FROM portal.items i LEFT JOIN portal.tasks t USING (dossier_item_id)"
)

StoredFile = dict[str, Any]
"""An item's document or attachment as stored (JSON): ``file_name``, ``content_base64`` and the like."""


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    kind: str
    status_code: int | None
    authority_status_code: str | None
    task: str | None
    actor: str | None
    operator: str | None
    """Who took the action on ``actor``'s behalf, if someone did."""
    action: str | None
    text: str
    comment: str


async def organisations_of(conn: PoolConnectionProxy, user: str) -> frozenset[str]:
    """The organisations/persons whose active contact logs in as ``user``."""
    rows = await conn.fetch(
        "SELECT organisation_person_id FROM portal.parties, jsonb_array_elements(party->'contacts') c"
        " WHERE NOT removed AND c->>'portal_user' = $1 AND (c->>'active')::boolean",
        user,
    )
    return frozenset(r["organisation_person_id"] for r in rows)


async def inbox(conn: PoolConnectionProxy, viewer: Viewer) -> list[ItemView]:
    """The viewer's open tasks, newest first."""
    rows = await conn.fetch(
        ITEM_SELECT + " WHERE $1 = ANY(t.assignees) ORDER BY t.since DESC, i.dossier_item_id", viewer.user
    )
    return [_item(r) for r in rows]


async def managed(conn: PoolConnectionProxy, viewer: Viewer) -> list[ItemView]:
    """Open tasks and rejected items of the workflows the viewer is task manager of, overdue first."""
    rows = await conn.fetch(
        ITEM_SELECT + " WHERE i.task_manager = $1 AND (t.task IS NOT NULL OR i.status_code = 40)"
        " ORDER BY t.due_at NULLS LAST, t.since, i.dossier_item_id",
        viewer.user,
    )
    return [_item(r) for r in rows]


async def item(conn: PoolConnectionProxy, dossier_item_id: str) -> ItemView | None:
    row = await conn.fetchrow(ITEM_SELECT + " WHERE i.dossier_item_id = $1", dossier_item_id)
    return _item(row) if row else None


async def document(conn: PoolConnectionProxy, dossier_item_id: str) -> StoredFile | None:
    stored: StoredFile | None = await conn.fetchval(
        "SELECT document FROM portal.items WHERE dossier_item_id = $1", dossier_item_id
    )
    return stored


async def attachment(conn: PoolConnectionProxy, dossier_item_id: str) -> StoredFile | None:
    stored: StoredFile | None = await conn.fetchval(
        "SELECT attachment FROM portal.items WHERE dossier_item_id = $1", dossier_item_id
    )
    return stored


async def history(conn: PoolConnectionProxy, dossier_item_id: str) -> list[HistoryLine]:
    rows = await conn.fetch(
        "SELECT at, kind, status_code, authority_status_code, task, actor, operator, action, text, comment"
        " FROM portal.history WHERE dossier_item_id = $1"
        # At one moment: the decision, then the status it led to, then the task that follows.
        " ORDER BY at, CASE kind WHEN 'task completed' THEN 0 WHEN 'status' THEN 1 ELSE 2 END, event_id",
        dossier_item_id,
    )
    return [HistoryLine(**dict(r)) for r in rows]


def _item(row: Record) -> ItemView:
    task = None
    if row["task"] is not None:
        task = OpenTask(
            task=row["task"],
            workflow=row["workflow"] or "",
            assignees=tuple(row["assignees"]),
            actions=tuple(row["actions"]),
            due_at=row["due_at"],
            assignment_note=row["assignment_note"],
        )
    return ItemView(
        dossier_item_id=str(row["dossier_item_id"]),
        message_id=row["message_id"],
        message_type=row["message_type"],
        organisation_person_id=row["organisation_person_id"],
        subject=row["subject"],
        confidential=row["confidential"],
        status_code=row["status_code"],
        status_detail=row["status_detail"],
        summary=row["summary"],
        task=task,
        workflow=row["workflow"],
        task_manager=row["task_manager"],
        last_task=row["last_task"],
        client_name=row["client_name"],
    )
