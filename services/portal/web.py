"""The portal's pages: login, the inbox, a task with what is approved, and acting on it.

Handlers stay thin: who is asking comes from the signed session (never from a
form), what they may see and do from ``access``, what there is from
``queries``; acting writes the action to the portal's outbox. Anything a viewer
may not see is answered 404, as if it did not exist.
"""

import asyncio
import base64
import secrets
import uuid
from datetime import UTC, datetime
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from services.portal import access, queries
from services.portal.accounts import Accounts, Throttle
from services.portal.config import PortalSettings
from services.portal.i18n import LANGUAGES
from services.portal.inbox import filtered
from services.portal.dashboard import dashboard_routes
from services.portal.languages import gettext_for, language_of, language_routes
from services.portal.live import live_routes
from services.portal.managing import manager_routes, split_assignees
from services.portal.rendering import environment
from shared.contracts.actions import WorkflowAction
from shared.db import outbox
from shared.db.outbox import OutboxRecord
from shared.documents.table import fact_table
from shared.topics import Topics

HERE = Path(__file__).parent
templates = {language: Jinja2Templates(env=environment(language)) for language in LANGUAGES}


class Portal:
    def __init__(self, pool, topics: Topics, accounts: Accounts, settings: PortalSettings,
                 reactions: dict[str, str] | None = None):
        self.pool, self.topics, self.accounts, self.settings = pool, topics, accounts, settings
        self.reactions = reactions or {}
        """Reaction templates (reactiesjablonen): name → text a comment may start from."""
        self.throttle = Throttle()

    def app(self) -> Starlette:
        routes = [
            *live_routes(self),  # first: /taken/live is no item id
            Route("/", self.home), Route("/login", self.login_page), Route("/login", self.login, methods=["POST"]),
            Route("/logout", self.logout, methods=["POST"]), Route("/taken", self.inbox),
            Route("/taken/{item_id}", self.task_page), Route("/taken/{item_id}/document", self.download),
            Route("/taken/{item_id}/actie", self.act, methods=["POST"]),
            *manager_routes(self),
            Route("/taken/{item_id}/bijlage", self.attachment),
            *dashboard_routes(self), *language_routes(self),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ]
        session = Middleware(SessionMiddleware, secret_key=self.settings.session_secret, same_site="strict",
                             https_only=self.settings.secure_cookies, max_age=8 * 3600)
        errors = {404: self._not_found, 403: self._forbidden}
        return Starlette(routes=routes, middleware=[session], exception_handlers=errors)

    async def _not_found(self, request: Request, _: Exception) -> Response:
        _ = gettext_for(request)
        return self._render(request, "error.html", {"title": _("Niet gevonden"),
                                                    "message": _("Deze pagina bestaat niet, of is niet voor u.")}, 404)

    async def _forbidden(self, request: Request, exc: HTTPException) -> Response:
        _ = gettext_for(request)
        return self._render(request, "error.html", {"title": _("Niet toegestaan"), "message": exc.detail}, 403)

    # -- logging in -------------------------------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        return RedirectResponse("/taken" if request.session.get("user") else "/login", status_code=303)

    async def login_page(self, request: Request, error: str = "", status: int = 200) -> Response:
        return self._render(request, "login.html", {"error": error}, status=status)

    async def login(self, request: Request) -> Response:
        form = await request.form()
        self._check_csrf(request, form)
        user, password = str(form.get("user", "")).strip(), str(form.get("password", ""))
        address = request.client.host if request.client else "-"
        wait, _ = self.throttle.wait_seconds(user, address), gettext_for(request)
        if wait:
            return await self.login_page(request, _("Te veel mislukte pogingen. Probeer het over %(minutes)s "
                                                    "minuten opnieuw.") % {"minutes": f"{wait / 60:.0f}"}, status=429)
        account = await asyncio.to_thread(self.accounts.verify, user, password)
        if account is None:
            self.throttle.failed(user, address)
            return await self.login_page(request, _("Onbekende gebruiker of onjuist wachtwoord."), status=401)
        self.throttle.succeeded(user, address)
        request.session.clear()  # a new session on login: no fixation
        request.session.update(user=user, role=account.role, language=account.language,
                               csrf=secrets.token_urlsafe(24))
        return RedirectResponse("/taken", status_code=303)

    async def logout(self, request: Request) -> Response:
        self._check_csrf(request, await request.form())
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    # -- pages --------------------------------------------------------------------------------------------------------

    async def inbox(self, request: Request) -> Response:
        viewer = await self._viewer(request)
        async with self.pool().acquire() as conn:
            items = [i for i in await queries.inbox(conn, viewer) if access.may_see(viewer, i)]
        return self._render(request, "inbox.html", {"inbox": filtered(items, request.query_params),
                                                    "now": datetime.now(UTC)})

    async def task_page(self, request: Request) -> Response:
        viewer = await self._viewer(request)
        item = await self._visible_item(viewer, request.path_params["item_id"])
        async with self.pool().acquire() as conn:
            lines = await queries.history(conn, item.dossier_item_id)
            document, attachment = await queries.document(conn, item.dossier_item_id), await queries.attachment(
                conn, item.dossier_item_id)
        return self._render(request, "task.html", {
            "item": item, "history": lines, "actions": access.actions_for(viewer, item),
            "facts": facts_of(document), "attachment": attachment, "reactions": self.reactions,
            "notice": request.session.pop("notice", None), "error": request.session.pop("error", None)})

    async def download(self, request: Request) -> Response:
        viewer = await self._viewer(request)
        item = await self._visible_item(viewer, request.path_params["item_id"])
        async with self.pool().acquire() as conn:
            document = await queries.document(conn, item.dossier_item_id)
        if not document:
            raise HTTPException(404)
        return _download(document)

    async def attachment(self, request: Request) -> Response:
        viewer = await self._viewer(request)
        item = await self._visible_item(viewer, request.path_params["item_id"])
        async with self.pool().acquire() as conn:
            attachment = await queries.attachment(conn, item.dossier_item_id)
        if not attachment or not attachment.get("content_base64"):
            raise HTTPException(404)  # a UNC location is shown as text: the portal cannot reach that share
        return _download(attachment)

    # -- acting -------------------------------------------------------------------------------------------------------

    async def act(self, request: Request) -> Response:
        viewer = await self._viewer(request)
        form = await request.form()
        self._check_csrf(request, form)
        item = await self._visible_item(viewer, request.path_params["item_id"])
        action = str(form.get("action", ""))
        comment = str(form.get("comment", "")).strip() or self.reactions.get(str(form.get("template", "")), "")
        assignees = split_assignees(str(form.get("assignees", "")))
        refusal = access.refuse_action(viewer, item, action, comment, assignees, _=gettext_for(request))
        if refusal:
            request.session["error"] = refusal
            return RedirectResponse(f"/taken/{item.dossier_item_id}", status_code=303)
        sent_at = datetime.now(UTC)
        await self.send(self.action(viewer, item, action, comment, assignees))
        return await self._after(request, viewer, item, action, sent_at)

    @staticmethod
    def action(viewer: access.Viewer, item: access.ItemView, action: str, comment: str = "",
               assignees: tuple[str, ...] = ()) -> WorkflowAction:
        """The action as workflow reads it; the actor is always the logged-in viewer."""
        return WorkflowAction(action_id=str(uuid.uuid4()), dossier_item_id=item.dossier_item_id,
                              task=access.task_acted_on(item, action) or "", action=action, actor=viewer.user,
                              comment=comment, assignees=list(assignees))

    async def send(self, *actions: WorkflowAction) -> None:
        """Into the portal's outbox, in one transaction: the relay publishes them to workflow.actions."""
        async with self.pool().acquire() as conn, conn.transaction():
            await outbox.append(conn, "portal", [OutboxRecord.of(self.topics.workflow_actions, a.dossier_item_id, a)
                                                 for a in actions])

    async def _after(self, request: Request, viewer: access.Viewer, item: access.ItemView, action: str,
                     sent_at: datetime) -> Response:
        """Wait for the outcome; when done, open the next task, otherwise show why not (or that it is pending)."""
        deadline = asyncio.get_running_loop().time() + self.settings.outcome_wait_seconds
        _ = gettext_for(request)
        shown = {"action": _(action)}
        found = None
        while found is None and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.2)
            async with self.pool().acquire() as conn:
                found = await queries.outcome(conn, item.dossier_item_id, viewer, action, sent_at)
        if found is None:
            request.session["notice"] = _("'%(action)s' is verstuurd en wordt verwerkt.") % shown
            return RedirectResponse(f"/taken/{item.dossier_item_id}", status_code=303)
        applied, text = found
        if not applied:
            request.session["error"] = _("'%(action)s' is geweigerd: %(reason)s") % {**shown, "reason": text}
            return RedirectResponse(f"/taken/{item.dossier_item_id}", status_code=303)
        request.session["notice"] = _("'%(action)s' is verwerkt.") % shown
        async with self.pool().acquire() as conn:
            remaining = [i for i in await queries.inbox(conn, viewer) if i.dossier_item_id != item.dossier_item_id]
        target = remaining[0].dossier_item_id if remaining else item.dossier_item_id
        return RedirectResponse(f"/taken/{target}", status_code=303)

    # -- who is asking ------------------------------------------------------------------------------------------------

    async def _viewer(self, request: Request) -> access.Viewer:
        user = request.session.get("user")
        if not user:
            raise HTTPException(303, headers={"Location": "/login"})
        organisations = frozenset()
        if request.session.get("role") == "client":
            async with self.pool().acquire() as conn:
                organisations = await queries.organisations_of(conn, user)
        return access.Viewer(user=user, role=request.session["role"], organisations=organisations)

    async def _visible_item(self, viewer: access.Viewer, item_id: str) -> access.ItemView:
        try:
            item_id = str(uuid.UUID(item_id))
        except ValueError:
            raise HTTPException(404) from None
        async with self.pool().acquire() as conn:
            item = await queries.item(conn, item_id)
        if item is None or not access.may_see(viewer, item):
            raise HTTPException(404)
        return item

    def _check_csrf(self, request: Request, form) -> None:
        expected = request.session.get("csrf") or request.session.setdefault("csrf", secrets.token_urlsafe(24))
        if not secrets.compare_digest(str(form.get("csrf", "")), expected):
            _ = gettext_for(request)
            raise HTTPException(403, _("Het formulier is verlopen of komt niet van deze site; probeer het opnieuw."))

    def _render(self, request: Request, name: str, context: dict, status: int = 200) -> Response:
        request.session.setdefault("csrf", secrets.token_urlsafe(24))
        context = {"user": request.session.get("user"), "role": request.session.get("role"),
                   "csrf": request.session["csrf"], **context}
        return templates[language_of(request)].TemplateResponse(request, name, context, status_code=status)


def _download(document: dict) -> Response:
    # Only safe characters reach the header: a file name cannot inject a header or a path.
    name = "".join(ch for ch in document["file_name"] if ch.isalnum() or ch in "._-") or "document"
    return Response(base64.b64decode(document["content_base64"]), media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def facts_of(document: dict | None) -> list:
    """The document's facts as rows for a table; none when it cannot be read (intake refused those already)."""
    if not document:
        return []
    rows = fact_table(base64.b64decode(document["content_base64"]))
    return rows if isinstance(rows, list) else []
