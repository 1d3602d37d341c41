"""The portal's pages as one Starlette app: who they serve (settings, pool, topics, accounts, reaction templates),
the routes of each part in order, the session (kept on the server), the security headers and the error pages.

Handlers live with their part (``signing_in``, ``pages``, ``acting``, ``managing``, ...); each is a function that
takes the portal and returns its routes. Who is asking comes from ``viewers``.
"""

from collections.abc import Callable
from pathlib import Path

import asyncpg
from secure.middleware import SecureASGIMiddleware
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starsessions import SessionAutoloadMiddleware, SessionMiddleware
from starsessions.stores import SessionStore

from services.portal.accounts import Accounts
from services.portal.acting import acting_routes
from services.portal.config import PortalSettings
from services.portal.dashboard import Dashboard, dashboard_routes
from services.portal.factor_store import PostgresFactorStore
from services.portal.guards import PublicFiles, rules
from services.portal.headers import POLICY
from services.portal.languages import gettext_for
from services.portal.limits import BodyLimit
from services.portal.live import live_routes
from services.portal.login_throttle import LoginThrottle, PostgresLoginThrottle
from services.portal.managing import manager_routes
from services.portal.pages import page_routes
from services.portal.reactions import ReactionTemplates
from services.portal.second_factor import SecondFactors
from services.portal.second_step import second_step_routes
from services.portal.session_store import PostgresSessions
from services.portal.setup import setup_routes
from services.portal.signing_in import signing_in_routes
from services.portal.viewers import render
from shared import reaction_templates
from shared.topics import Topics

HERE = Path(__file__).parent


class Portal:
    def __init__(
        self,
        pool: Callable[[], asyncpg.Pool],
        topics: Topics,
        accounts: Accounts,
        settings: PortalSettings,
        reactions: ReactionTemplates | None = None,
        dashboard: Dashboard | None = None,
        second_factors: SecondFactors | None = None,
        sessions: SessionStore | None = None,
        login_throttle: LoginThrottle | None = None,
        code_throttle: LoginThrottle | None = None,
    ):
        self.pool, self.topics, self.accounts, self.settings = pool, topics, accounts, settings
        self.reactions = reactions or ReactionTemplates()
        """Reaction templates (reactiesjablonen) of the configuration folder, until a published version has them
        (``reaction_templates``)."""
        self._published_reactions: tuple[int, ReactionTemplates] | None = None
        self.dashboard = dashboard
        """The operator's pages; without one, /operator is a 404."""
        self.second_factors = second_factors or SecondFactors(PostgresFactorStore(pool), settings.second_factor_keys())
        self.sessions = sessions or PostgresSessions(pool)
        """Where sessions live: PostgreSQL, shared by every portal process (fast tests give one in memory)."""
        self.login_throttle = login_throttle or PostgresLoginThrottle(pool)
        """Wrong passwords, per user and per address, shared by every portal process (fast tests: in memory)."""
        self.code_throttle = code_throttle or PostgresLoginThrottle(pool, kind="code")
        """Wrong second-factor and recovery codes, per user and per address (second_step.py says why)."""

    async def reaction_templates(self) -> ReactionTemplates:
        """The reaction templates of the version in use (read again only when a newer one is published)."""
        async with self.pool().acquire() as conn:
            row = await conn.fetchrow(
                "SELECT version, files ? $1 AS has FROM portal.setup_versions ORDER BY version DESC LIMIT 1",
                reaction_templates.FILE,
            )
            if row is None or not row["has"]:
                return self.reactions
            if self._published_reactions is None or self._published_reactions[0] != row["version"]:
                text = await conn.fetchval(
                    "SELECT files ->> $2 FROM portal.setup_versions WHERE version = $1",
                    row["version"],
                    reaction_templates.FILE,
                )
                # Workflow checked the file before publishing it.
                self._published_reactions = (row["version"], ReactionTemplates(reaction_templates.parse(text)))
        return self._published_reactions[1]

    def app(self) -> Starlette:
        routes = [
            *live_routes(self),  # first: /taken/live is no item id
            *signing_in_routes(self),
            *second_step_routes(self),
            *page_routes(self),
            *acting_routes(self),
            *manager_routes(self),
            *setup_routes(self),
            *dashboard_routes(self),
            PublicFiles("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ]
        rules(routes)  # deny by default: a route that does not say who may use it stops the start
        session = Middleware(
            SessionMiddleware,
            store=self.sessions,
            cookie_same_site="strict",
            cookie_https_only=self.settings.secure_cookies,
            lifetime=0,  # a cookie for the browser's session; the server ends it sooner (session_store.py)
        )
        # Every path: an error page anywhere speaks the session's language.
        loaded = Middleware(SessionAutoloadMiddleware)
        return Starlette(
            routes=routes,
            # Outermost, so that every answer carries them: refusals and error pages too.
            middleware=[Middleware(SecureASGIMiddleware, secure=POLICY), Middleware(BodyLimit), session, loaded],
            exception_handlers={404: not_found, 403: forbidden, 405: form_address, 503: unavailable},
        )


async def not_found(request: Request, exc: Exception) -> Response:
    _ = gettext_for(request)
    return render(
        request,
        "error.html",
        {"title": _("Niet gevonden"), "message": _("Deze pagina bestaat niet, of is niet voor u.")},
        404,
    )


async def form_address(request: Request, exc: Exception) -> Response:
    """A form's address opened as a page (Back, a bookmark, the language switch on a page a form answered) leads
    to the page above it: /taken/ID/actie to /taken/ID. Any other method it does not take is refused."""
    if request.method in ("GET", "HEAD"):
        return RedirectResponse(request.url.path.rstrip("/").rpartition("/")[0] or "/", status_code=303)
    _ = gettext_for(request)
    message = _("Dit adres neemt dit verzoek niet aan.")
    return render(request, "error.html", {"title": _("Niet toegestaan"), "message": message}, 405)


async def forbidden(request: Request, exc: Exception) -> Response:
    _ = gettext_for(request)
    # Starlette hands a status code's handler an HTTPException; the handler's type must take any exception.
    message = exc.detail if isinstance(exc, HTTPException) else ""
    return render(request, "error.html", {"title": _("Niet toegestaan"), "message": message}, 403)


async def unavailable(request: Request, exc: Exception) -> Response:
    _ = gettext_for(request)
    message = exc.detail if isinstance(exc, HTTPException) else ""
    return render(request, "error.html", {"title": _("Even geduld"), "message": message}, 503)
