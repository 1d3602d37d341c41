"""Inrichting's mapping of message types to workflows: the ordered rules, a preview of where a message goes, and
publishing the rules."""

import uuid

from starlette.requests import Request
from starlette.responses import Response

from services.portal.guards import GuardedRoute, Who
from services.portal.languages import gettext_for
from services.portal.setup.desk import SetupDesk, after, errors, refused, rows_sent, typed
from services.portal.setup.files import workflows_of
from services.portal.setup.mapping_form import Rule, answered_rules, preview, rules_of, with_rules
from services.portal.viewers import check_csrf, render, viewer


def mapping_routes(desk: SetupDesk) -> list[GuardedRoute]:
    portal = desk.portal

    async def mapping(request: Request) -> Response:
        await viewer(portal, request)
        version, files = await desk.latest(request)
        return _mapping_page(request, version, files, rules_of(files))

    async def publish_mapping(request: Request) -> Response:
        asking = await viewer(portal, request)
        sent = await request.form()
        check_csrf(request, sent)
        version, files = await desk.edited(sent)
        rules, mistakes = answered_rules(typed(sent), rows_sent(sent, "regels"))
        if mistakes:
            return _mapping_page(request, version, files, rules, mistakes=mistakes)
        outcome = await desk.send(asking.user, sent, version, with_rules(files, rules))
        if refused(outcome):
            return _mapping_page(request, version, files, rules, outcome=outcome)
        _ = gettext_for(request)
        return after(request, outcome, sent, _("De koppelingen zijn gepubliceerd."))

    return [
        GuardedRoute("/inrichting/koppelingen", mapping, Who.FUNCTIONAL_ADMIN),
        GuardedRoute("/inrichting/koppelingen", publish_mapping, Who.FUNCTIONAL_ADMIN, methods=["POST"]),
    ]


def _mapping_page(
    request: Request,
    version: int,
    files: dict[str, str],
    rules: list[Rule],
    *,
    mistakes: dict[str, str] | None = None,
    outcome: object = None,
) -> Response:
    found = errors(gettext_for(request), mistakes, outcome)
    asked_type = request.query_params.get("soort", "").strip()
    asked = request.query_params.get("kenmerken", "").strip()
    try:
        match = preview(rules, asked_type, asked) if asked_type else None
        unreadable = False
    except ValueError:
        match, unreadable = None, True
    context = {
        "version": version,
        "rules": rules,
        "workflows": sorted(workflows_of(files)),
        "errors": found,
        "asked_type": asked_type,
        "asked": asked,
        "found": match,
        "unreadable": unreadable,
        "command_id": uuid.uuid4(),
    }
    return render(request, "setup_mapping.html", context, 400 if found else 200)
