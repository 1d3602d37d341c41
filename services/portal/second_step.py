"""The second factor's pages: the code after the password (or a recovery code instead), setting it up (at a staff
user's first login, or when a client chooses to from the security page), the recovery codes shown once, and the
security page itself.

Wrong codes are throttled per user (Throttle, like passwords): only someone who knew the password gets this far,
so no stranger can lock a user out by guessing, and no number of addresses buys more guesses. The password's own
throttle is apart, so a right password does not forgive wrong codes.
"""

import math
from typing import TYPE_CHECKING

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from services.portal import sessions, totp
from services.portal.languages import gettext_for
from services.portal.second_factor import required_for
from services.portal.viewers import check_csrf, render, viewer

if TYPE_CHECKING:  # for annotations only: web.py imports this module
    from services.portal.web import Portal

NOT_STORED = {"Cache-Control": "no-store"}
"""For pages that show a secret or recovery codes: not kept in the browser's cache or history."""


def second_step_routes(portal: "Portal") -> list[Route]:
    throttle = portal.code_throttle

    def too_many(request: Request, user: str) -> str | None:
        wait, _ = throttle.wait_seconds(user, ""), gettext_for(request)
        if not wait:
            return None
        return _("Te veel mislukte pogingen. Probeer het over %(minutes)s minuten opnieuw.") % {
            "minutes": f"{max(1, math.ceil(wait / 60))}"
        }

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

    async def check_code(request: Request) -> Response:
        halfway, form = await halfway_form(request)
        if halfway is None:
            return RedirectResponse("/login", status_code=303)
        if refused := too_many(request, halfway.user):
            return await code_page(request, refused, 429)
        if not await portal.second_factors.verify(halfway.user, str(form.get("code", ""))):
            throttle.failed(halfway.user, "")
            _ = gettext_for(request)
            wrong = _(
                "Deze code klopt niet of is al gebruikt. Wacht tot de app een nieuwe code toont en probeer het opnieuw."
            )
            return await code_page(request, wrong, 401)
        throttle.succeeded(halfway.user, "")
        sessions.log_in(request, halfway.user, halfway.role, second_factor=True)
        return RedirectResponse("/taken", status_code=303)

    async def recovery_page(request: Request, error: str = "", status: int = 200) -> Response:
        halfway = sessions.halfway(request)
        if halfway is None:
            return RedirectResponse("/login", status_code=303)
        return render(
            request, "second_factor_recovery.html", {"error": error, "staff": required_for(halfway.role)}, status
        )

    async def check_recovery_code(request: Request) -> Response:
        halfway, form = await halfway_form(request)
        if halfway is None:
            return RedirectResponse("/login", status_code=303)
        if refused := too_many(request, halfway.user):
            return await recovery_page(request, refused, 429)
        _ = gettext_for(request)
        if not await portal.second_factors.recover(halfway.user, str(form.get("recovery_code", ""))):
            throttle.failed(halfway.user, "")
            return await recovery_page(request, _("Deze herstelcode klopt niet of is al gebruikt."), 401)
        throttle.succeeded(halfway.user, "")
        sessions.log_in(request, halfway.user, halfway.role, second_factor=True)
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
        response = render(request, "second_factor_setup.html", context, status)
        response.headers.update(NOT_STORED)
        return response

    async def confirm_setup(request: Request) -> Response:
        form = await request.form()
        check_csrf(request, form)
        who = await enrolling(request)
        if isinstance(who, Response):
            return who
        user, role = who
        if refused := too_many(request, user):
            return await setup_page(request, refused, 429)
        sealed = request.session.get("enrolling")
        code = str(form.get("code", ""))
        codes = await portal.second_factors.enrol(user, sealed, code) if isinstance(sealed, str) else None
        if codes is None:
            throttle.failed(user, "")
            _ = gettext_for(request)
            wrong = _(
                "Deze code klopt niet. Controleer of de app de sleutel van deze pagina heeft en vul de code in die"
                " de app nu toont."
            )
            return await setup_page(request, wrong, 401)
        throttle.succeeded(user, "")
        sessions.log_in(request, user, role, second_factor=True)
        # Shown in answer to the POST, not after a redirect: the codes are never kept, not even in the session.
        response = render(request, "second_factor_codes.html", {"codes": codes})
        response.headers.update(NOT_STORED)
        return response

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
        Route("/tweede-stap", code_page),
        Route("/tweede-stap", check_code, methods=["POST"]),
        Route("/tweede-stap/herstelcode", recovery_page),
        Route("/tweede-stap/herstelcode", check_recovery_code, methods=["POST"]),
        Route("/tweede-stap/instellen", setup_page),
        Route("/tweede-stap/instellen", confirm_setup, methods=["POST"]),
        Route("/beveiliging", security_page),
    ]
