"""Inrichting's reaction templates: the item type's templates in both languages, added, changed, ordered and
removed, and published."""

import uuid

from starlette.requests import Request
from starlette.responses import Response

from services.portal.guards import GuardedRoute, Who
from services.portal.languages import gettext_for
from services.portal.setup.desk import SetupDesk, after, errors, refused, rows_sent, typed
from services.portal.setup.files import templates_of
from services.portal.setup.template_form import TemplateRow, answered_templates, template_rows, with_templates
from services.portal.viewers import check_csrf, render, viewer


def template_routes(desk: SetupDesk) -> list[GuardedRoute]:
    portal = desk.portal

    async def templates(request: Request) -> Response:
        await viewer(portal, request)
        version, files = await desk.latest(request)
        return _templates_page(request, version, template_rows(templates_of(files)))

    async def publish_templates(request: Request) -> Response:
        asking = await viewer(portal, request)
        sent = await request.form()
        check_csrf(request, sent)
        version, files = await desk.edited(sent)
        chosen, mistakes, shown = answered_templates(typed(sent), rows_sent(sent, "sjablonen"))
        if mistakes:
            return _templates_page(request, version, shown, mistakes=mistakes)
        outcome = await desk.send(asking.user, sent, version, with_templates(files, chosen))
        if refused(outcome):
            return _templates_page(request, version, shown, outcome=outcome)
        _ = gettext_for(request)
        return after(request, outcome, sent, _("De reactiesjablonen zijn gepubliceerd."))

    return [
        GuardedRoute("/inrichting/reactiesjablonen", templates, Who.FUNCTIONAL_ADMIN),
        GuardedRoute("/inrichting/reactiesjablonen", publish_templates, Who.FUNCTIONAL_ADMIN, methods=["POST"]),
    ]


def _templates_page(
    request: Request,
    version: int,
    rows: list[TemplateRow],
    *,
    mistakes: dict[str, str] | None = None,
    outcome: object = None,
) -> Response:
    found = errors(gettext_for(request), mistakes, outcome)
    context = {"version": version, "rows": rows, "errors": found, "command_id": uuid.uuid4()}
    return render(request, "setup_templates.html", context, 400 if found else 200)
