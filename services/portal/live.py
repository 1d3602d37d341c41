"""Live changes for open pages, as server-sent events: a task page hears when its item moves, an inbox when the
viewer's tasks change. An event carries no data a page shows; the page fetches its fresh self (small partial
update), so what it shows always passes the same authorisation as a reload. Without JavaScript nothing is lost:
a reload shows the same."""

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import StreamingResponse

from services.portal.guards import GuardedRoute, Who
from services.portal.viewers import viewer, visible_item

if TYPE_CHECKING:  # for annotations only: web.py imports this module
    from services.portal.web import Portal

POLL_SECONDS = 1.0
HEARTBEAT_SECONDS = 15.0


def live_routes(portal: "Portal") -> list[GuardedRoute]:
    async def item_changes(request: Request) -> StreamingResponse:
        item = await visible_item(portal, await viewer(portal, request), request.path_params["item_id"])
        query = (
            "SELECT i.status_code, i.status_at, t.task, t.assignees, (SELECT count(*) FROM portal.history h"
            " WHERE h.dossier_item_id = i.dossier_item_id) FROM portal.items i"
            " LEFT JOIN portal.tasks t USING (dossier_item_id) WHERE i.dossier_item_id = $1"
        )
        return _stream(request, portal, query, item.dossier_item_id)

    async def inbox_changes(request: Request) -> StreamingResponse:
        asking = await viewer(portal, request)
        query = "SELECT count(*), max(since) FROM portal.tasks WHERE $1 = ANY(assignees)"
        return _stream(request, portal, query, asking.user)

    return [
        GuardedRoute("/taken/live", inbox_changes, Who.SIGNED_IN),
        GuardedRoute("/taken/{item_id}/live", item_changes, Who.SIGNED_IN),
    ]


def _stream(request: Request, portal: "Portal", query: str, argument: str) -> StreamingResponse:
    async def events() -> AsyncIterator[str]:
        last, quiet = None, 0.0
        while not await request.is_disconnected():
            async with portal.pool().acquire() as conn:
                now = tuple(await conn.fetchrow(query, argument) or ())
            if last is not None and now != last:
                yield "event: changed\ndata: {}\n\n"
                quiet = 0.0
            elif quiet >= HEARTBEAT_SECONDS:
                yield ": still here\n\n"  # keeps proxies from closing an idle stream
                quiet = 0.0
            last = now
            await asyncio.sleep(POLL_SECONDS)
            quiet += POLL_SECONDS

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )
