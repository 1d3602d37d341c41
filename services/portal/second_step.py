"""The second factor's pages: the code after the password (or a recovery code instead), setting it up (at a staff
user's first login, or when a client chooses to from the security page), the recovery codes shown once, and the
security page itself.

Wrong codes are throttled per user and per address in PostgreSQL, as passwords are (login_throttle.py): only
someone who knew the password gets this far, so no stranger can lock a user out by guessing, and no number of
addresses or portal processes buys more guesses. The password's count is apart, so a right password does not
forgive wrong codes.
"""

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from services.portal import sessions, totp
from services.portal.guards import GuardedRoute, Who
from services.portal.languages import gettext_for
from services.portal.login_throttle import client_address, throttled
from services.portal.second_factor import required_for
from services.portal.viewers import check_csrf, render, viewer

if TYPE_CHECKING:  # for annotations only: web.py imports this module
    from services.portal.web import Portal


def second_step_routes(portal: "Portal") -> list[GuardedRoute]:
    throttle = portal.code_throttle

    async def logged_in(request: Request, user: str, role: str) -> None:
        await sessions.log_in(request, portal.accounts, user, role, second_factor=True)

    async def halfway_form(request: Request) -> tuple[sessions.Halfway | None, FormData]:
        form = await request.form()
        check_csrf(request, form)
        return sessions.halfway(request), form

    # -- the code, or a recovery code, after the password ------------------------------------------------------

    async def code_page(request: Request, error: str = "", status: int = 200) -> Response:
        halfway = sessions.halfway(request)
        if halfway is None:
            return RedirectResponse("/login", status_code=303)
        return render(request, "second_factor_code.html", {"error": error}, status)

    async def checked(
        request: Request,
        page: Callable[[Request, str, int], Awaitable[Response]],
        right: Callable[[str, str], Awaitable[bool]],
        field: str,
        wrong: str,
    ) -> Response | None:
        """The form's ``field`` (a code, or a recovery code) checked by ``right`` under the throttle: None when it
        is right and the user is logged in; else ``page`` again with why."""
        halfway, form = await halfway_form(request)
        if halfway is None:
            return RedirectResponse("/login", status_code=303)
        if refused := await throttled(throttle, request, halfway.user):
            return await page(request, refused, 429)
        if not await right(halfway.user, str(form.get(field, ""))):
            await throttle.failed(halfway.user, client_address(request))
            return await page(request, wrong, 401)
        await throttle.succeeded(halfway.user, client_address(request))
        await logged_in(request, halfway.user, halfway.role)
        return None

    async def check_code(request: Request) -> Response:
        _ = gettext_for(request)
        wrong = _(
            "Deze code klopt niet of is al gebruikt. Wacht tot de app een nieuwe code toont en probeer het opnieuw."
        )
        refused = await checked(request, code_page, portal.second_factors.verify, "code", wrong)
        return refused or RedirectResponse("/taken", status_code=303)

    async def recovery_page(request: Request, error: str = "", status: int = 200) -> Response:
        halfway = sessions.halfway(request)
        if halfway is None:
            return RedirectResponse("/login", status_code=303)
        return render(
            request, "second_factor_recovery.html", {"error": error, "staff": required_for(halfway.role)}, status
        )

    async def check_recovery_code(request: Request) -> Response:
        _ = gettext_for(request)
        wrong = _("Deze herstelcode klopt niet of is al gebruikt.")
        if refused := await checked(request, recovery_page, portal.second_factors.recover, "recovery_code", wrong):
            return refused
        request.session["notice"] = _("U bent ingelogd met een herstelcode; die werkt nu niet meer.")
        return RedirectResponse("/beveiliging", status_code=303)

    # -- setting it up --------------------------------------------------------------------------------------------

    async def enrolling(request: Request) -> tuple[str, str] | Response:
        """Who sets up a second factor here, (user, role): the user half way, else the one logged in; or where
        to go instead when neither, or when they have one already."""
        halfway = sessions.halfway(request)
        if halfway is not None:
            user, role, done = halfway.user, halfway.role, "/tweede-stap"
        else:
            asking = await viewer(portal, request)
            user, role, done = asking.user, asking.role, "/beveiliging"
        if await portal.second_factors.of(user) is not None:
            return RedirectResponse(done, status_code=303)
        return user, role

    async def setup_page(request: Request, error: str = "", status: int = 200) -> Response:
        who = await enrolling(request)
        if isinstance(who, Response):
            return who
        user, role = who
        sealed = request.session.get("enrolling")
        secret = portal.second_factors.unsealed(sealed) if isinstance(sealed, str) else None
        if secret is None:  # the first view in this session (or one sealed with a key since dropped)
            request.session["enrolling"] = sealed = portal.second_factors.new_enrolment()
            secret = portal.second_factors.unsealed(sealed) or ""
        _ = gettext_for(request)
        context = {
            "error": error,
            "required": required_for(role),
            "secret": totp.grouped(secret),
            "qr": totp.qr_svg(totp.provisioning_uri(secret, user), _("QR-code voor uw authenticator-app")),
        }
        return render(request, "second_factor_setup.html", context, status)

    async def confirm_setup(request: Request) -> Response:
        form = await request.form()
        check_csrf(request, form)
        who = await enrolling(request)
        if isinstance(who, Response):
            return who
        user, role = who
        if refused := await throttled(throttle, request, user):
            return await setup_page(request, refused, 429)
        sealed = request.session.get("enrolling")
        code = str(form.get("code", ""))
        codes = await portal.second_factors.enrol(user, sealed, code) if isinstance(sealed, str) else None
        if codes is None:
            await throttle.failed(user, client_address(request))
            _ = gettext_for(request)
            wrong = _(
                "Deze code klopt niet. Controleer of de app de sleutel van deze pagina heeft en vul de code in die"
                " de app nu toont."
            )
            return await setup_page(request, wrong, 401)
        await throttle.succeeded(user, client_address(request))
        await logged_in(request, user, role)
        # Shown in answer to the POST, not after a redirect: the codes are never kept, not even in the session.
        return render(request, "second_factor_codes.html", {"codes": codes})

    # -- the security page ----------------------------------------------------------------------------------------

    async def security_page(request: Request) -> Response:
        asking = await viewer(portal, request)
        factor = await portal.second_factors.of(asking.user)
        return render(
            request,
            "security.html",
            {"factor": factor, "staff": required_for(asking.role), "notice": request.session.pop("notice", None)},
        )

    return [
        GuardedRoute("/tweede-stap", code_page, Who.AFTER_PASSWORD),
        GuardedRoute("/tweede-stap", check_code, Who.AFTER_PASSWORD, methods=["POST"]),
        GuardedRoute("/tweede-stap/herstelcode", recovery_page, Who.AFTER_PASSWORD),
        GuardedRoute("/tweede-stap/herstelcode", check_recovery_code, Who.AFTER_PASSWORD, methods=["POST"]),
        GuardedRoute("/tweede-stap/instellen", setup_page, Who.AFTER_PASSWORD),
        GuardedRoute("/tweede-stap/instellen", confirm_setup, Who.AFTER_PASSWORD, methods=["POST"]),
        GuardedRoute("/beveiliging", security_page, Who.SIGNED_IN),
    ]
