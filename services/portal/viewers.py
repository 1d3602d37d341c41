"""Who is asking, for every page: the viewer from the signed session (never from a form), an item they may see
(anything else is a 404, as if it did not exist), the CSRF check on every form, and rendering a page for them."""

import secrets
import uuid
from typing import TYPE_CHECKING

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from services.portal import access, queries, sessions
from services.portal.archive import decided_by
from services.portal.i18n import LANGUAGES
from services.portal.languages import gettext_for, language_of
from services.portal.rendering import environment

if TYPE_CHECKING:  # for annotations only: web.py imports this module
    from services.portal.web import Portal

templates = {language: Jinja2Templates(env=environment(language)) for language in LANGUAGES}


async def viewer(portal: "Portal", request: Request) -> access.Viewer:
    user = request.session.get("user")
    if user and not sessions.signed_in(request):
        # Staff are logged in only after their second factor; a session without it (one from before it was
        # required, say) starts over at the password.
        request.session.clear()
        user = None
    if user and request.session.get("password") != portal.accounts.password_mark(user):
        request.session.clear()  # the password changed (or the user is gone) since this session began
        user = None
    if not user:
        raise HTTPException(303, headers={"Location": "/login"})
    organisations: frozenset[str] = frozenset()
    if request.session.get("role") == "client":
        async with portal.pool().acquire() as conn:
            organisations = await queries.organisations_of(conn, user)
    return access.Viewer(user=user, role=request.session["role"], organisations=organisations)


async def visible_item(portal: "Portal", viewer: access.Viewer, item_id: str) -> access.ItemView:
    try:
        item_id = str(uuid.UUID(item_id))
    except ValueError:
        raise HTTPException(404) from None
    async with portal.pool().acquire() as conn:
        item = await queries.item(conn, item_id)
        seen = item is not None and (
            access.may_see(viewer, item) or access.may_see(viewer, item, await decided_by(conn, item_id, viewer.user))
        )
    if item is None or not seen:
        raise HTTPException(404)
    return item


def csrf_matches(request: Request, form: FormData) -> bool:
    expected = request.session.get("csrf") or request.session.setdefault("csrf", secrets.token_urlsafe(24))
    return secrets.compare_digest(str(form.get("csrf", "")), expected)


def check_csrf(request: Request, form: FormData) -> None:
    if not csrf_matches(request, form):
        _ = gettext_for(request)
        raise HTTPException(403, _("Het formulier is verlopen of komt niet van deze site; probeer het opnieuw."))


def render(request: Request, name: str, context: dict[str, object], status: int = 200) -> Response:
    request.session.setdefault("csrf", secrets.token_urlsafe(24))
    context = {
        "user": request.session.get("user"),
        "role": request.session.get("role"),
        "csrf": request.session["csrf"],
        **context,
    }
    return templates[language_of(request)].TemplateResponse(request, name, context, status_code=status)
