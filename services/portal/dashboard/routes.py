"""The operator's pages: /operator (every figure, refreshing itself), one dead letter to read and replay, and
sending again a delivery stopped at 70.

Only operators see them; anyone else gets the portal's 404. The page renews
itself with the HTTP ``Refresh`` header: no JavaScript, and a reload is
cheap since the lag and the dead letters' counts come from memory (the
sampler and the tally keep them); a letter's body is read when it is opened.
"""

import asyncio
import time
from typing import TYPE_CHECKING

import structlog
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from services.portal.dashboard import figures
from services.portal.dashboard.history import LagHistory
from services.portal.dashboard.letter_tally import DeadLetterTally
from services.portal.dashboard.resending import resend_routes, waiting
from services.portal.dashboard.sampling import sample_forever
from services.portal.dashboard.view import panels
from services.portal.guards import GuardedRoute, Who
from services.portal.i18n import N_
from services.portal.languages import gettext_for
from services.portal.viewers import check_csrf, render, viewer
from shared.operations.breakers import breaker_states
from shared.operations.dead_letters import (
    DeadLetter,
    dead_letter_topics,
    read_dead_letter,
    render_show,
    replay,
)
from shared.settings import Settings

if TYPE_CHECKING:  # for annotations only: web.py imports this module
    from services.portal.web import Portal

log = structlog.get_logger(__name__)


class Dashboard:
    """What the pages need beyond the portal: the system's settings, the hour of lag the sampler keeps and the
    dead letters' tally."""

    def __init__(self, settings: Settings, interval: float):
        self.settings, self.interval = settings, interval
        self.history = LagHistory()
        self.letters = DeadLetterTally(dead_letter_topics(settings.topics))

    async def sample_forever(self) -> None:
        await sample_forever(self.settings, self.history, self.interval)

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
        settings, pool = dashboard.settings, portal.pool()
        _ = gettext_for(request)
        items, backlog, gateway, breakers, to_resend = [
            _("%(what)s onbekend: %(why)s") % {"what": _(figure.what), "why": figure.why}
            if isinstance(figure, figures.Unreadable)
            else figure
            for figure in await asyncio.gather(
                figures.shown(figures.items_per_status(pool), N_("Berichten per status")),
                figures.shown(figures.outbox_backlog(pool), N_("Outbox")),
                figures.shown(figures.gateway(settings, pool), N_("Gateway")),
                figures.shown(breaker_states(pool), N_("Stroomonderbreker")),
                figures.shown(waiting(pool), N_("Wachtend op opnieuw verzenden")),
            )
        ]
        latest = dashboard.history.latest
        response = render(
            request,
            "dashboard.html",
            {
                "panels": panels(dashboard.history),
                "sampled_at": latest.at if latest else None,
                "lag_error": dashboard.history.error,
                "interval": f"{dashboard.interval:g}".replace(".", ","),
                "now": time.time(),
                "letters": dashboard.letters.shown(),
                "letters_read": dashboard.letters.caught_up_at,
                "letters_error": dashboard.letters.error,
                "to_resend": to_resend,
                "items": items,
                "backlog": backlog,
                "gateway": gateway,
                "breakers": breakers,
                "notice": request.session.pop("notice", None),
                "error": request.session.pop("error", None),
            },
        )
        response.headers["Refresh"] = f"{dashboard.interval:g}"
        return response

    async def letter(request: Request) -> Response:
        dashboard = await operator(request)
        found = await _letter(dashboard, request)
        return render(request, "dashboard_letter.html", {"letter": found, "shown": render_show(found)})

    async def replay_letter(request: Request) -> Response:
        dashboard = await operator(request)
        check_csrf(request, await request.form())
        found, _ = await _letter(dashboard, request), gettext_for(request)
        try:
            [sent] = await replay(dashboard.settings.kafka_bootstrap_servers, [found], topics=dashboard.settings.topics)
        except ValueError as exc:
            request.session["error"] = _("%(letter)s is niet opnieuw aangeboden: %(why)s") % {
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
            request.session["notice"] = _("%(letter)s is opnieuw aangeboden als %(sent)s.") % {
                "letter": f"{found.topic} {found.ref}",
                "sent": sent,
            }
        return RedirectResponse("/operator", status_code=303)

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
