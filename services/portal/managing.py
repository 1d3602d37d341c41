"""The task manager's view: the open tasks of the workflows they manage, overdue first, and the rejected items
they can restore; reassigning one task or many at once. Acting on one task is the task page's form."""

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from services.portal import access, queries
from services.portal.acting import send, split_assignees, workflow_action
from services.portal.guards import GuardedRoute, Who
from services.portal.languages import gettext_for
from services.portal.viewers import check_csrf, render, viewer, visible_item

if TYPE_CHECKING:  # for annotations only: web.py imports this module
    from services.portal.web import Portal


def manager_routes(portal: "Portal") -> list[GuardedRoute]:
    async def manager(request: Request) -> access.Viewer:
        asking = await viewer(portal, request)
        if asking.role != "task_manager":
            raise HTTPException(404)
        return asking

    async def overview(request: Request) -> Response:
        asking = await manager(request)
        async with portal.pool().acquire() as conn:
            items = await queries.managed(conn, asking)
        workflows = sorted({i.workflow or "" for i in items})
        return render(
            request,
            "manage.html",
            {
                "now": datetime.now(UTC),
                "workflows": {w: [i for i in items if (i.workflow or "") == w] for w in workflows},
                "notice": request.session.pop("notice", None),
                "error": request.session.pop("error", None),
            },
        )

    async def reassign_many(request: Request) -> Response:
        asking = await manager(request)
        form = await request.form()
        check_csrf(request, form)
        assignees = split_assignees(str(form.get("assignees", "")))
        chosen = [await visible_item(portal, asking, str(item_id)) for item_id in form.getlist("item")]
        _ = gettext_for(request)
        refusals = [access.refuse_action(asking, item, access.REASSIGN, "", assignees, _=_) for item in chosen]
        if not chosen or any(refusals):
            request.session["error"] = next(filter(None, refusals), _("Kies eerst een of meer taken."))
            return RedirectResponse("/beheer", status_code=303)
        await send(portal, *(workflow_action(asking, item, access.REASSIGN, assignees=assignees) for item in chosen))
        request.session["notice"] = _("%(count)s taak/taken toegewezen aan %(assignees)s.") % {
            "count": len(chosen),
            "assignees": ", ".join(assignees),
        }
        return RedirectResponse("/beheer", status_code=303)

    return [
        GuardedRoute("/beheer", overview, Who.TASK_MANAGER),
        GuardedRoute("/beheer/toewijzen", reassign_many, Who.TASK_MANAGER, methods=["POST"]),
    ]
