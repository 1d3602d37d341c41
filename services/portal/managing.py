"""The task manager's view: the open tasks of the workflows they manage, overdue first, and the rejected items
they can restore, searched by text, client, task or being late; reassigning one task or many at once, and
restoring a rejected item from the list. Acting on one task is the task page's form.

Each form carries an action id; the action of each item is named after it (uuid5), so sending a form twice
(a double click, Back and send) sends every action once."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from services.portal import access, outcomes, queries
from services.portal.acting import split_assignees, workflow_action
from services.portal.guards import GuardedRoute, Who
from services.portal.languages import gettext_for
from services.portal.viewers import check_csrf, render, viewer, visible_item
from shared.contracts.actions import WorkflowAction

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
        now = datetime.now(UTC)
        search = ManagedSearch.of(request.query_params)
        shown = [i for i in items if search.keeps(i, now)]
        workflows = sorted({i.workflow or "" for i in shown})
        return render(
            request,
            "manage.html",
            {
                "now": now,
                "search": search,
                "clients": access.client_choices((i.organisation_person_id, i.client) for i in items),
                "tasks": sorted({t for i in items if (t := (i.task.task if i.task else i.last_task))}),
                "total": len(items),
                "workflows": {w: [i for i in shown if (i.workflow or "") == w] for w in workflows},
                "action_id": uuid.uuid4(),
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
        form_id = outcomes.action_id_from(form.get("action_id"))
        await _send_once(
            portal,
            [
                workflow_action(asking, item, access.REASSIGN, assignees=assignees, action_id=_of(form_id, item))
                for item in chosen
            ],
        )
        request.session["notice"] = _("%(count)s taak/taken toegewezen aan %(assignees)s.") % {
            "count": len(chosen),
            "assignees": ", ".join(assignees),
        }
        return RedirectResponse("/beheer", status_code=303)

    async def restore(request: Request) -> Response:
        asking = await manager(request)
        form = await request.form()
        check_csrf(request, form)
        item = await visible_item(portal, asking, str(form.get("restore", "")))
        _ = gettext_for(request)
        refused = access.refuse_action(asking, item, access.RESTORE, "", _=_)
        if refused:
            request.session["error"] = refused
            return RedirectResponse("/beheer", status_code=303)
        form_id = outcomes.action_id_from(form.get("action_id"))
        await _send_once(portal, [workflow_action(asking, item, access.RESTORE, action_id=_of(form_id, item))])
        request.session["notice"] = _("'%(subject)s' wordt hersteld naar %(task)s.") % {
            "subject": item.subject or "",
            "task": _(item.last_task or ""),
        }
        return RedirectResponse("/beheer", status_code=303)

    return [
        GuardedRoute("/beheer", overview, Who.TASK_MANAGER),
        GuardedRoute("/beheer/toewijzen", reassign_many, Who.TASK_MANAGER, methods=["POST"]),
        GuardedRoute("/beheer/herstellen", restore, Who.TASK_MANAGER, methods=["POST"]),
    ]


@dataclass(frozen=True)
class ManagedSearch:
    """What the task manager narrowed the list to: words in the subject or the client's name, a client, a task,
    only what is late."""

    words: str = ""
    client: str = ""
    task: str = ""
    late: bool = False

    @classmethod
    def of(cls, params: Mapping[str, str]) -> "ManagedSearch":
        return cls(
            words=params.get("zoek", "").strip()[:100],
            client=params.get("klant", "").strip()[:64],
            task=params.get("taak", "").strip()[:100],
            late=params.get("te_laat", "") == "1",
        )

    @property
    def narrowed(self) -> bool:
        return bool(self.words or self.client or self.task or self.late)

    def keeps(self, item: access.ItemView, now: datetime) -> bool:
        text = f"{item.subject or ''} {item.client}".casefold()
        task = item.task.task if item.task else item.last_task
        due = item.task.due_at if item.task else None
        return (
            all(word in text for word in self.words.casefold().split())
            and (not self.client or item.organisation_person_id == self.client)
            and (not self.task or task == self.task)
            and (not self.late or (due is not None and due < now))
        )


def _of(form_id: str, item: access.ItemView) -> str:
    """The id of a form's action on one item: the same for the same form sent again."""
    return str(uuid.uuid5(uuid.UUID(form_id), item.dossier_item_id))


async def _send_once(portal: "Portal", actions: list[WorkflowAction]) -> None:
    async with portal.pool().acquire() as conn:
        for action in actions:
            await outcomes.send_once(conn, action, portal.topics.portal_actions)
