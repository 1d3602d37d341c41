"""The operator's pages: /operator (every figure, refreshing itself), one dead letter to read and replay, and
sending again a delivery stopped at 70.

Only operators see them; anyone else gets the portal's 404. The page renews
itself with the HTTP ``Refresh`` header: no JavaScript, and a reload is
cheap since the lag and the dead letters' counts come from memory (the
sampler and the tally keep them); a letter's body is read when it is opened.
"""

import asyncio
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import structlog
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from services.portal.dashboard import figures
from services.portal.dashboard.history import LagHistory
from services.portal.dashboard.letter_tally import DeadLetterTally
from services.portal.dashboard.resending import resend_routes, waiting
from services.portal.dashboard.sampling import Pace, sample_forever
from services.portal.dashboard.view import panels
from services.portal.guards import GuardedRoute, Who
from services.portal.i18n import N_
from services.portal.languages import gettext_for, language_of
from services.portal.viewers import check_csrf, render, viewer
from shared import dead_letters as h
from shared.operations.breakers import breaker_states
from shared.operations.dead_letters import DeadLetter, body_of, dead_letter_topics, read_dead_letter, replay
from shared.operations.readiness import configured_endpoints, readiness
from shared.settings import Settings

if TYPE_CHECKING:  # for annotations only: web.py imports this module
    from services.portal.web import Portal

log = structlog.get_logger(__name__)

NOTICES = ("letters_notice", "letters_problem", "resend_notice", "resend_problem")
READING_SECONDS = 30.0


class Dashboard:
    """What the pages need beyond the portal: the system's settings, the hour of lag the sampler keeps and the
    dead letters' tally."""

    def __init__(self, settings: Settings, interval: float):
        self.settings = settings
        self.pace = Pace(interval)
        self.history = LagHistory()
        self.letters = DeadLetterTally(dead_letter_topics(settings.topics))
        self.endpoints = configured_endpoints()
        """The services' health addresses the page asks; none when the deployment names none."""

    @property
    def interval(self) -> float:
        """The page's refresh and the sampler's pace while the page is watched (seconds)."""
        return self.pace.interval

    async def sample_forever(self) -> None:
        await sample_forever(self.settings, self.history, self.pace)

    async def follow_dead_letters(self) -> None:
        await self.letters.follow(self.settings.kafka_bootstrap_servers, self.interval)


def dashboard_routes(portal: "Portal") -> list[GuardedRoute]:
    async def operator(request: Request) -> Dashboard:
        asking = await viewer(portal, request)
        dashboard = portal.dashboard
        if asking.role != "operator" or dashboard is None:
            raise HTTPException(404)
        return dashboard

    async def page(request: Request) -> Response:
        dashboard = await operator(request)
        dashboard.pace.shown()
        settings, pool = dashboard.settings, portal.pool()
        _ = gettext_for(request)
        said = {key: request.session.pop(key, None) for key in NOTICES}
        endpoints = dashboard.endpoints
        items, backlog, gateway, breakers, to_resend, services = [
            _("%(what)s onbekend: %(why)s") % {"what": _(figure.what), "why": figure.why}
            if isinstance(figure, figures.Unreadable)
            else figure
            for figure in await asyncio.gather(
                figures.shown(figures.items_per_status(pool), N_("Berichten per status")),
                figures.shown(figures.outbox_backlog(pool), N_("Outbox")),
                figures.shown(figures.gateway(settings, pool), N_("Gateway")),
                figures.shown(breaker_states(pool), N_("Stroomonderbreker")),
                figures.shown(waiting(pool), N_("Wachtend op opnieuw verzenden")),
                figures.shown(readiness(endpoints), N_("Diensten")),
            )
        ]
        latest = dashboard.history.latest
        response = render(
            request,
            "dashboard.html",
            {
                "panels": panels(dashboard.history, language_of(request)),
                "sampled_at": latest.at if latest else None,
                "lag_error": dashboard.history.error,
                "interval": f"{dashboard.interval:g}".replace(".", ","),
                "now": time.time(),
                "letters": dashboard.letters.shown(),
                "letters_read": dashboard.letters.caught_up_at,
                "letters_error": dashboard.letters.error,
                "to_resend": to_resend,
                "services": services if endpoints else None,
                "items": items,
                "backlog": backlog,
                "gateway": gateway,
                "breakers": breakers,
                # What a button on the page did, shown in the section of that button.
                **said,
            },
        )
        # A page that says what a button did renews itself later: the notice is shown once, and must be read.
        renew = max(dashboard.interval, READING_SECONDS) if any(said.values()) else dashboard.interval
        response.headers["Refresh"] = f"{renew:g}"
        return response

    async def letter(request: Request) -> Response:
        dashboard = await operator(request)
        found = await _letter(dashboard, request)
        is_json, body = body_of(found)
        published = found.headers.get(h.ORIGINAL_TIMESTAMP, "")
        return render(
            request,
            "dashboard_letter.html",
            {
                "letter": found,
                "reason": found.headers.get(h.REASON, ""),
                "refused_by": found.headers.get(h.REFUSED_BY, ""),
                "first_published": datetime.fromtimestamp(int(published) / 1000, UTC) if published.isdigit() else None,
                "body": body,
                "is_json": is_json,
            },
        )

    async def replay_letter(request: Request) -> Response:
        dashboard = await operator(request)
        check_csrf(request, await request.form())
        found, _ = await _letter(dashboard, request), gettext_for(request)
        try:
            [sent] = await replay(dashboard.settings.kafka_bootstrap_servers, [found], topics=dashboard.settings.topics)
        except ValueError as exc:
            request.session["letters_problem"] = _("%(letter)s is niet opnieuw aangeboden: %(why)s") % {
                "letter": f"{found.topic} {found.ref}",
                "why": exc,
            }
        else:
            log.info(
                "dead letter replayed from the portal",
                dead_letter=f"{found.topic}/{found.ref}",
                to=sent,
                operator=request.session.get("user"),
            )
            request.session["letters_notice"] = _("%(letter)s is opnieuw aangeboden als %(sent)s.") % {
                "letter": f"{found.topic} {found.ref}",
                "sent": sent,
            }
        return RedirectResponse("/operator#dlq-title", status_code=303)

    return [
        GuardedRoute("/operator", page, Who.OPERATOR),
        GuardedRoute("/operator/dlq/{topic}/{ref}", letter, Who.OPERATOR),
        GuardedRoute("/operator/dlq/{topic}/{ref}/opnieuw", replay_letter, Who.OPERATOR, methods=["POST"]),
        *resend_routes(portal, operator),
    ]


async def _letter(dashboard: Dashboard, request: Request) -> DeadLetter:
    topic, ref = request.path_params["topic"], request.path_params["ref"]
    if topic not in dead_letter_topics(dashboard.settings.topics):
        raise HTTPException(404)
    try:
        return await read_dead_letter(dashboard.settings.kafka_bootstrap_servers, topic, ref, timeout=figures.TIMEOUT)
    except LookupError:
        raise HTTPException(404) from None
