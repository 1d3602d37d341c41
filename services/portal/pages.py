"""What a viewer reads: their inbox, a task page with the history, the document's facts and what they may do,
and downloading the document or its attachment. Only items the viewer may see; anything else is a 404."""

import base64
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from asyncpg.pool import PoolConnectionProxy
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from services.portal import access, archive, outcomes, queries
from services.portal.guards import GuardedRoute, Who
from services.portal.inbox import filtered
from services.portal.languages import language_of
from services.portal.viewers import render, viewer, visible_item
from shared.documents.table import fact_table
from shared.documents.xbrl import FactRow

if TYPE_CHECKING:  # for annotations only: web.py imports this module
    from services.portal.web import Portal


def page_routes(portal: "Portal") -> list[GuardedRoute]:
    async def inbox(request: Request) -> Response:
        asking = await viewer(portal, request)
        async with portal.pool().acquire() as conn:
            items = [i for i in await queries.inbox(conn, asking) if access.may_see(asking, i)]
        return render(request, "inbox.html", {"inbox": filtered(items, request.query_params), "now": datetime.now(UTC)})

    async def decided_page(request: Request) -> Response:
        asking = await viewer(portal, request)
        async with portal.pool().acquire() as conn:
            found = await archive.search(conn, asking, archive.Search.of(request.query_params))
        return render(request, "archive.html", {"archive": found})

    async def task_page(request: Request) -> Response:
        asking = await viewer(portal, request)
        item = await visible_item(portal, asking, request.path_params["item_id"])
        async with portal.pool().acquire() as conn:
            lines = await queries.history(conn, item.dossier_item_id)
            document, attachment = (
                await queries.document(conn, item.dossier_item_id),
                await queries.attachment(conn, item.dossier_item_id),
            )
            outcome = await _outcome(conn, asking, item, request.query_params.get(outcomes.PARAMETER))
            next_task = await _next_task(conn, asking, item) if outcome else None
        return render(
            request,
            "task.html",
            {
                "item": item,
                "history": lines,
                "actions": access.actions_for(asking, item),
                "facts": facts_of(document),
                "attachment": attachment,
                "reactions": (await portal.reaction_templates()).offered(language_of(request)),
                "outcome": outcome,
                "next_task": next_task,
                "question": _client_question(asking, item, lines),
                "action_id": uuid.uuid4(),
                "notice": request.session.pop("notice", None),
                "error": request.session.pop("error", None),
            },
        )

    async def document(request: Request) -> Response:
        return _download(await stored_file(request, queries.document))

    async def attachment(request: Request) -> Response:
        # A UNC location has no content: it is shown as text, the portal cannot reach that share.
        return _download(await stored_file(request, queries.attachment))

    async def stored_file(
        request: Request, query: Callable[[PoolConnectionProxy, str], Awaitable[queries.StoredFile | None]]
    ) -> queries.StoredFile:
        item = await visible_item(portal, await viewer(portal, request), request.path_params["item_id"])
        async with portal.pool().acquire() as conn:
            stored = await query(conn, item.dossier_item_id)
        if not stored or not stored.get("content_base64"):
            raise HTTPException(404)
        return stored

    return [
        GuardedRoute("/taken", inbox, Who.SIGNED_IN),
        GuardedRoute("/taken/{item_id}", task_page, Who.SIGNED_IN),
        GuardedRoute("/afgehandeld", decided_page, Who.SIGNED_IN),
        GuardedRoute("/taken/{item_id}/document", document, Who.SIGNED_IN),
        GuardedRoute("/taken/{item_id}/bijlage", attachment, Who.SIGNED_IN),
    ]


async def _outcome(
    conn: PoolConnectionProxy, asking: access.Viewer, item: access.ItemView, action_id: str | None
) -> outcomes.Outcome | None:
    """The outcome of the viewer's own action on this item named in the address; nothing for anything else."""
    if not action_id:
        return None
    try:
        sent = await outcomes.sent_action(conn, str(uuid.UUID(action_id)))
    except ValueError:
        return None
    if sent is None or not sent.of(asking.user, item.dossier_item_id):
        return None
    return await outcomes.outcome_of(conn, sent)


def _client_question(
    asking: access.Viewer, item: access.ItemView, lines: list[queries.HistoryLine]
) -> queries.HistoryLine | None:
    """For the office answering a client's reaction: that reaction, to read before anything else."""
    if asking.role == "client" or item.task is None:
        return None
    decided = [line for line in lines if line.kind == "task completed"]
    last = decided[-1] if decided else None
    return last if last is not None and last.action == access.REACTION and last.comment else None


async def _next_task(conn: PoolConnectionProxy, asking: access.Viewer, item: access.ItemView) -> str | None:
    """The viewer's next open task after this one, if any: where the outcome's link leads."""
    waiting = [i for i in await queries.inbox(conn, asking) if i.dossier_item_id != item.dossier_item_id]
    return next((i.dossier_item_id for i in waiting if access.may_see(asking, i)), None)


def _download(document: queries.StoredFile) -> Response:
    # Only safe characters reach the header: a file name cannot inject a header or a path.
    name = "".join(ch for ch in document["file_name"] if ch.isalnum() or ch in "._-") or "document"
    return Response(
        base64.b64decode(document["content_base64"]),
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def facts_of(document: queries.StoredFile | None) -> list[FactRow]:
    """The document's facts as rows for a table; none when it cannot be read (intake refused those already)."""
    if not document:
        return []
    rows = fact_table(base64.b64decode(document["content_base64"]))
    return rows if isinstance(rows, list) else []
