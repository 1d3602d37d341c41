"""The session: logging in (throttled per user and address, a fresh session on success), logging out, and the
language switch the session keeps until logout.

After the password, a user with a second factor, and staff without one yet, are half way: the code page, or the
enrolment page (second_step.py), comes next. A client without a second factor is logged in at once.
"""

import asyncio
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from services.portal import sessions
from services.portal.guards import GuardedRoute, Who
from services.portal.i18n import supported
from services.portal.languages import back_to, gettext_for
from services.portal.login_throttle import client_address, throttled
from services.portal.second_factor import required_for
from services.portal.viewers import check_csrf, csrf_matches, render

if TYPE_CHECKING:  # for annotations only: web.py imports this module
    from services.portal.web import Portal


def signing_in_routes(portal: "Portal") -> list[GuardedRoute]:
    async def home(request: Request) -> Response:
        return RedirectResponse("/taken" if request.session.get("user") else "/login", status_code=303)

    async def login_page(request: Request, error: str = "", status: int = 200) -> Response:
        return render(request, "login.html", {"error": error}, status=status)

    async def login(request: Request) -> Response:
        form, _ = await request.form(), gettext_for(request)
        if not csrf_matches(request, form):  # a login page left open past its session (or a restart): a fresh one
            return await login_page(request, _("Deze pagina was verlopen. Vul uw gegevens opnieuw in."), status=400)
        user, password = str(form.get("user", "")).strip(), str(form.get("password", ""))
        address = client_address(request)
        if refusal := await throttled(portal.login_throttle, request, user):
            return await login_page(request, refusal, status=429)
        account = await asyncio.to_thread(portal.accounts.verify, user, password)
        if account is None:
            await portal.login_throttle.failed(user, address)
            return await login_page(request, _("Onbekende gebruiker of onjuist wachtwoord."), status=401)
        await portal.login_throttle.succeeded(user, address)
        factor = await portal.second_factors.of(user)
        if factor is None and not required_for(account.role):
            request.session["language"] = account.language
            await sessions.log_in(request, portal.accounts, user, account.role, second_factor=False)
            return RedirectResponse("/taken", status_code=303)
        await sessions.halfway_in(request, user, account.role, account.language)
        return RedirectResponse("/tweede-stap" if factor else "/tweede-stap/instellen", status_code=303)

    async def logout(request: Request) -> Response:
        form = await request.form()
        if not request.session.get("user") and sessions.halfway(request) is None:
            # Logged out already (a second click on Uitloggen, its session ended at the first): nothing to end.
            return RedirectResponse("/login", status_code=303)
        check_csrf(request, form)
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
        GuardedRoute("/", home, Who.ANYONE),
        GuardedRoute("/login", login_page, Who.ANYONE),
        GuardedRoute("/login", login, Who.ANYONE, methods=["POST"]),
        GuardedRoute("/logout", logout, Who.ANYONE, methods=["POST"]),  # a second click finds the login page
        GuardedRoute("/taal", switch_language, Who.ANYONE, methods=["POST"]),  # the login page has the switch too
    ]
