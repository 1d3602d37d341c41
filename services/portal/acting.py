"""Acting on a task: the form becomes a WorkflowAction (the actor is always the logged-in viewer), written to the
portal's outbox, and the page waits briefly for the outcome: the next task when it is done, why not otherwise."""

import asyncio
import re
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from services.portal import access, queries
from services.portal.languages import gettext_for
from services.portal.viewers import check_csrf, viewer, visible_item
from shared.contracts.actions import WorkflowAction
from shared.db import outbox
from shared.db.outbox import OutboxRecord

if TYPE_CHECKING:  # for annotations only: web.py imports this module
    from services.portal.web import Portal


def acting_routes(portal: "Portal") -> list[Route]:
    async def act(request: Request) -> Response:
        asking = await viewer(portal, request)
        form = await request.form()
        check_csrf(request, form)
        item = await visible_item(portal, asking, request.path_params["item_id"])
        action, comment, assignees = _asked(portal, form)
        refusal = access.refuse_action(asking, item, action, comment, assignees, _=gettext_for(request))
        if refusal:
            request.session["error"] = refusal
            return _task_page(item.dossier_item_id)
        sent_at = datetime.now(UTC)
        await send(portal, workflow_action(asking, item, action, comment, assignees))
        return await _after_sending(portal, request, asking, item, action, sent_at)

    return [Route("/taken/{item_id}/actie", act, methods=["POST"])]


def _asked(portal: "Portal", form: FormData) -> tuple[str, str, tuple[str, ...]]:
    """The action, its comment (typed, else the chosen reaction template's text) and any assignees."""
    comment = str(form.get("comment", "")).strip() or portal.reactions.get(str(form.get("template", "")), "")
    return str(form.get("action", "")), comment, split_assignees(str(form.get("assignees", "")))


def split_assignees(text: str) -> tuple[str, ...]:
    """'medewerker, @fiscaal' → ('medewerker', '@fiscaal'): users or @groups, each once."""
    return tuple(dict.fromkeys(part for part in re.split(r"[\s,;]+", text) if part))


def workflow_action(
    viewer: access.Viewer, item: access.ItemView, action: str, comment: str = "", assignees: tuple[str, ...] = ()
) -> WorkflowAction:
    """The action as workflow reads it; the actor is always the logged-in viewer."""
    return WorkflowAction(
        action_id=str(uuid.uuid4()),
        dossier_item_id=item.dossier_item_id,
        task=access.task_acted_on(item, action) or "",
        action=action,
        actor=viewer.user,
        comment=comment,
        assignees=list(assignees),
    )


async def send(portal: "Portal", *actions: WorkflowAction) -> None:
    """Into the portal's outbox, in one transaction: the relay publishes them to workflow.actions.from.portal."""
    async with portal.pool().acquire() as conn, conn.transaction():
        await outbox.append(
            conn, "portal", [OutboxRecord.of(portal.topics.portal_actions, a.dossier_item_id, a) for a in actions]
        )


async def _after_sending(
    portal: "Portal", request: Request, viewer: access.Viewer, item: access.ItemView, action: str, sent_at: datetime
) -> Response:
    """Wait for the outcome; when done, open the next task, otherwise show why not (or that it is pending)."""
    deadline = asyncio.get_running_loop().time() + portal.settings.outcome_wait_seconds
    _ = gettext_for(request)
    shown = {"action": _(action)}
    found: tuple[bool, str] | None = None
    while found is None and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.2)
        async with portal.pool().acquire() as conn:
            found = await queries.outcome(conn, item.dossier_item_id, viewer, action, sent_at)
    if found is None:
        request.session["notice"] = _("'%(action)s' is verstuurd en wordt verwerkt.") % shown
        return _task_page(item.dossier_item_id)
    applied, text = found
    if not applied:
        request.session["error"] = _("'%(action)s' is geweigerd: %(reason)s") % {**shown, "reason": text}
        return _task_page(item.dossier_item_id)
    request.session["notice"] = _("'%(action)s' is verwerkt.") % shown
    async with portal.pool().acquire() as conn:
        remaining = [i for i in await queries.inbox(conn, viewer) if i.dossier_item_id != item.dossier_item_id]
    return _task_page(remaining[0].dossier_item_id if remaining else item.dossier_item_id)


def _task_page(item_id: str) -> RedirectResponse:
    return RedirectResponse(f"/taken/{item_id}", status_code=303)
