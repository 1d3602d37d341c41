"""Acting on a task: the form becomes a WorkflowAction (the actor is always the logged-in viewer), written to the
portal's outbox once (``outcomes``), and the page stays on the item with the action's true outcome. Approving a
filing first asks the person to confirm what they state by it; the audit trail keeps that statement."""

import asyncio
import re
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from services.portal import access, outcomes
from services.portal.guards import GuardedRoute, Who
from services.portal.languages import gettext_for, language_of
from services.portal.viewers import check_csrf, render, viewer, visible_item
from shared.contracts.actions import WorkflowAction

if TYPE_CHECKING:  # for annotations only: web.py imports this module
    from services.portal.web import Portal


def acting_routes(portal: "Portal") -> list[GuardedRoute]:
    async def act(request: Request) -> Response:
        asking = await viewer(portal, request)
        form = await request.form()
        check_csrf(request, form)
        item = await visible_item(portal, asking, request.path_params["item_id"])
        action_id = outcomes.action_id_from(form.get("action_id"))
        async with portal.pool().acquire() as conn:
            earlier = await outcomes.sent_action(conn, action_id)
        if earlier is not None:
            # The same form again: its action was sent (and may be done by now, its task gone); show that.
            if not earlier.of(asking.user, item.dossier_item_id):
                raise HTTPException(404)
            return outcome_page(item.dossier_item_id, action_id)
        action, comment, assignees = await _asked(portal, form, language_of(request))
        _ = gettext_for(request)
        refusal = access.refuse_action(asking, item, action, comment, assignees, _=_)
        if refusal:
            request.session["error"] = refusal
            return _task_page(item.dossier_item_id)
        statement = _(access.STATEMENT) if action in access.CONFIRMED else None
        if statement and form.get("statement") != "confirmed":
            return _confirmation(request, item, action, action_id, comment, statement, asked=form.get("confirm"))
        sent = workflow_action(asking, item, action, comment, assignees, action_id=action_id, statement=statement)
        async with portal.pool().acquire() as conn:
            first = await outcomes.send_once(conn, sent, portal.topics.portal_actions)
        await _wait_for_outcome(portal, first)
        return outcome_page(item.dossier_item_id, action_id)

    return [GuardedRoute("/taken/{item_id}/actie", act, Who.SIGNED_IN, methods=["POST"])]


def _confirmation(
    request: Request,
    item: access.ItemView,
    action: str,
    action_id: str,
    comment: str,
    statement: str,
    asked: object,
) -> Response:
    """The page between the button and the filing: what is approved, the statement to confirm, and the button
    that sends it. Asked again (the box was not ticked) it says so."""
    _ = gettext_for(request)
    return render(
        request,
        "confirm.html",
        {
            "item": item,
            "action": action,
            "action_id": action_id,
            "comment": comment,
            "statement": statement,
            "error": _("Vink de verklaring aan om goed te keuren.") if asked else None,
        },
        400 if asked else 200,
    )


async def _asked(portal: "Portal", form: FormData, language: str) -> tuple[str, str, tuple[str, ...]]:
    """The action, its comment (typed, else the chosen reaction template's text in the page's language) and any
    assignees."""
    chosen = (await portal.reaction_templates()).text(str(form.get("template", "")), language)
    comment = str(form.get("comment", "")).strip() or chosen
    return str(form.get("action", "")), comment, split_assignees(str(form.get("assignees", "")))


def split_assignees(text: str) -> tuple[str, ...]:
    """'medewerker, @fiscaal' → ('medewerker', '@fiscaal'): users or @groups, each once."""
    return tuple(dict.fromkeys(part for part in re.split(r"[\s,;]+", text) if part))


def workflow_action(
    viewer: access.Viewer,
    item: access.ItemView,
    action: str,
    comment: str = "",
    assignees: tuple[str, ...] = (),
    *,
    action_id: str | None = None,
    statement: str | None = None,
) -> WorkflowAction:
    """The action as workflow reads it; the actor is always the logged-in viewer, who confirmed ``statement`` (if
    any) just now."""
    return WorkflowAction(
        action_id=action_id or str(uuid.uuid4()),
        dossier_item_id=item.dossier_item_id,
        task=access.task_acted_on(item, action) or "",
        action=action,
        actor=viewer.user,
        comment=comment,
        assignees=list(assignees),
        statement=statement,
        confirmed_at=datetime.now(UTC) if statement else None,
    )


async def _wait_for_outcome(portal: "Portal", sent: outcomes.SentAction) -> None:
    """A moment for workflow to decide, so that the page usually opens on the outcome rather than on "pending"."""
    deadline = asyncio.get_running_loop().time() + portal.settings.outcome_wait_seconds
    while asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.2)
        async with portal.pool().acquire() as conn:
            if (await outcomes.outcome_of(conn, sent)).state is not outcomes.State.PENDING:
                return


def outcome_page(item_id: str, action_id: str) -> RedirectResponse:
    return RedirectResponse(f"/taken/{item_id}?{outcomes.PARAMETER}={action_id}", status_code=303)


def _task_page(item_id: str) -> RedirectResponse:
    return RedirectResponse(f"/taken/{item_id}", status_code=303)
