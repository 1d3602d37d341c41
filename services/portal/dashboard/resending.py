"""Sending again, from the operator page, a delivery stopped at 70: the list of what waits and one button each.

The button does what `accordeer resend` does, through the same ``dispatch.request_resend`` (the one thing the
portal may do in dispatch's schema), with the signed-in operator as who asked. A second click, from a double
click or another operator, finds the first resend under way and says so; nothing is sent twice.
"""

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from uuid import UUID

import asyncpg
import structlog
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from services.portal import rendering
from services.portal.guards import GuardedRoute, Who
from services.portal.languages import gettext_for, language_of
from services.portal.viewers import check_csrf
from shared.operations.resends import NotResent, Refusal, request_resend, waiting_for_resend

if TYPE_CHECKING:  # for annotations only: web.py imports this package
    from services.portal.web import Portal

log = structlog.get_logger(__name__)

SHOWN = 50
"""How many of the waiting deliveries the page lists, oldest first."""


async def waiting(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    return await waiting_for_resend(pool, SHOWN)


def resend_routes(portal: "Portal", operator: Callable[[Request], Awaitable[object]]) -> list[GuardedRoute]:
    async def resend(request: Request) -> Response:
        await operator(request)
        check_csrf(request, await request.form())
        try:
            item = str(UUID(request.path_params["item"]))
        except ValueError:
            raise HTTPException(404) from None
        who = request.session["user"]
        async with portal.pool().acquire() as conn:
            outcome = await request_resend(conn, item, who)
        _ = gettext_for(request)
        if isinstance(outcome, NotResent):
            request.session["resend_problem"] = refusal(request, outcome)
        else:
            log.info("resend asked from the portal", dossier_item_id=item, attempt=outcome.attempt, operator=who)
            request.session["resend_notice"] = _(
                "Dossieritem %(item)s wordt opnieuw verzonden als poging %(attempt)s, aanleverkenmerk %(kenmerk)s."
            ) % {"item": item, "attempt": outcome.attempt, "kenmerk": outcome.aanleverkenmerk}
        return RedirectResponse("/operator#resend-title", status_code=303)

    return [GuardedRoute("/operator/opnieuw-verzenden/{item}", resend, Who.OPERATOR, methods=["POST"])]


def refusal(request: Request, refused: NotResent) -> str:
    """Why nothing was sent, in the operator's language."""
    _, language = gettext_for(request), language_of(request)
    words = {"item": refused.dossier_item_id}
    match refused.why:
        case Refusal.ABSENT:
            return _("Dossieritem %(item)s is nog niet goedgekeurd: er is geen verzending om te herhalen.") % words
        case Refusal.UNDER_WAY:
            return _(
                "Dossieritem %(item)s wordt al opnieuw verzonden (poging %(attempt)s, gevraagd door %(who)s, "
                "%(when)s); er is niets veranderd."
            ) % {
                **words,
                "attempt": refused.attempt,
                "who": refused.requested_by,
                "when": rendering.moment(language, refused.requested_at),
            }
        case Refusal.RETRYING:
            return (
                _(
                    "Dossieritem %(item)s staat op 70 door een storing die voorbijgaat; dispatch verstuurt het zelf "
                    "opnieuw."
                )
                % words
            )
        case Refusal.NOT_FAILED:
            return _(
                "Dossieritem %(item)s staat op %(status)s, niet op 70: alleen een verzending die onderweg mislukte "
                "kan opnieuw; er is niets veranderd."
            ) % {**words, "status": rendering.status(language, refused.status_code)}
