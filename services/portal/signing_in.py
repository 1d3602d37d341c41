"""The session: logging in (throttled per user and address, a fresh session on success), logging out, and the
language switch the session keeps until logout.

After the password, a user with a second factor, and staff without one yet, are half way: the code page, or the
enrolment page (second_step.py), comes next. A client without a second factor is logged in at once.
"""

import asyncio
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from services.portal import sessions
from services.portal.i18n import supported
from services.portal.languages import back_to, gettext_for
from services.portal.second_factor import required_for
from services.portal.viewers import check_csrf, render

if TYPE_CHECKING:  # for annotations only: web.py imports this module
    from services.portal.web import Portal


def signing_in_routes(portal: "Portal") -> list[Route]:
    async def home(request: Request) -> Response:
        return RedirectResponse("/taken" if request.session.get("user") else "/login", status_code=303)

    async def login_page(request: Request, error: str = "", status: int = 200) -> Response:
        return render(request, "login.html", {"error": error}, status=status)

    async def login(request: Request) -> Response:
        form = await request.form()
        check_csrf(request, form)
        user, password = str(form.get("user", "")).strip(), str(form.get("password", ""))
        address = request.client.host if request.client else "-"
        wait, _ = portal.throttle.wait_seconds(user, address), gettext_for(request)
        if wait:
            return await login_page(
                request,
                _("Te veel mislukte pogingen. Probeer het over %(minutes)s minuten opnieuw.")
                % {"minutes": f"{wait / 60:.0f}"},
                status=429,
            )
        account = await asyncio.to_thread(portal.accounts.verify, user, password)
        if account is None:
            portal.throttle.failed(user, address)
            return await login_page(request, _("Onbekende gebruiker of onjuist wachtwoord."), status=401)
        portal.throttle.succeeded(user, address)
        factor = await portal.second_factors.of(user)
        if factor is None and not required_for(account.role):
            request.session["language"] = account.language
            sessions.log_in(request, user, account.role, second_factor=False)
            return RedirectResponse("/taken", status_code=303)
        sessions.halfway_in(request, user, account.role, account.language)
        return RedirectResponse("/tweede-stap" if factor else "/tweede-stap/instellen", status_code=303)

    async def logout(request: Request) -> Response:
        check_csrf(request, await request.form())
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    async def switch_language(request: Request) -> Response:
        form = await request.form()
        check_csrf(request, form)
        language = supported(str(form.get("language", "")))
        if language:
            request.session["language"] = language
        return RedirectResponse(back_to(request), status_code=303)

    return [
        Route("/", home),
        Route("/login", login_page),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/taal", switch_language, methods=["POST"]),
    ]
