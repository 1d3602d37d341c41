"""Inrichting's versions: every version published with who, when and what changed, the difference from the one
before, publishing an earlier one again, and the page that waits for a change's answer."""

import difflib
import uuid
from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from services.portal.guards import GuardedRoute, Who
from services.portal.languages import gettext_for
from services.portal.setup.desk import Gettext, SetupDesk, after, notices, page_number, problems_sentence, refused
from services.portal.setup.files import ROUTES, USERS, workflows_of
from services.portal.viewers import check_csrf, render, viewer
from shared import item_type, reaction_templates


def version_routes(desk: SetupDesk) -> list[GuardedRoute]:
    portal = desk.portal

    async def versions(request: Request) -> Response:
        await viewer(portal, request)
        async with portal.pool().acquire() as conn:
            rows = await conn.fetch("SELECT * FROM portal.setup_versions ORDER BY version DESC")
        if not rows:
            await desk.latest(request)  # says that nothing was published yet
        _ = gettext_for(request)
        listed = []
        for row, earlier in zip(rows, [*rows[1:], None], strict=True):
            changed = _changed(dict(earlier["files"]), dict(row["files"]), _) if earlier else None
            listed.append({**dict(row), "changed": changed, "command_id": uuid.uuid4()})
        context = {"versions": listed, "newest": rows[0]["version"]}
        return render(request, "setup_versions.html", context | notices(request))

    async def version_diff(request: Request) -> Response:
        await viewer(portal, request)
        number = page_number(request.path_params["version"])
        async with portal.pool().acquire() as conn:
            rows = await conn.fetch(
                "SELECT * FROM portal.setup_versions WHERE version <= $1 ORDER BY version DESC LIMIT 2", number
            )
        if not rows or rows[0]["version"] != number:
            raise HTTPException(404)
        after_, before = dict(rows[0]["files"]), dict(rows[1]["files"]) if len(rows) > 1 else {}
        lines = [
            line.rstrip("\n")
            for name in sorted(set(before) | set(after_))
            for line in difflib.unified_diff(
                before.get(name, "").splitlines(keepends=True),
                after_.get(name, "").splitlines(keepends=True),
                name,
                name,
            )
        ]
        return render(request, "setup_diff.html", {"version": rows[0], "lines": lines})

    async def publish_again(request: Request) -> Response:
        asking = await viewer(portal, request)
        sent = await request.form()
        check_csrf(request, sent)
        number = page_number(request.path_params["version"])
        files = await desk.version(number)
        newest, _files = await desk.latest(request)
        outcome = await desk.send(asking.user, sent, newest, files)
        _ = gettext_for(request)
        if refused(outcome):
            request.session["error"] = problems_sentence(outcome, _)
            return RedirectResponse("/inrichting/versies", status_code=303)
        return after(request, outcome, sent, _("Versie %(version)s is opnieuw gepubliceerd.") % {"version": number})

    async def outcome_page(request: Request) -> Response:
        await viewer(portal, request)
        try:
            command_id = str(uuid.UUID(request.path_params["command_id"]))
        except ValueError:
            raise HTTPException(404) from None
        async with portal.pool().acquire() as conn:
            outcome = await conn.fetchrow("SELECT * FROM portal.setup_outcomes WHERE command_id = $1", command_id)
        _ = gettext_for(request)
        if outcome is None:
            return render(request, "setup_pending.html", {"command_id": command_id})
        if refused(outcome):
            request.session["error"] = problems_sentence(outcome, _)
        else:
            request.session["notice"] = _("Gepubliceerd als versie %(version)s.") % {"version": outcome["version"]}
        return RedirectResponse("/inrichting", status_code=303)

    return [
        GuardedRoute("/inrichting/versies", versions, Who.FUNCTIONAL_ADMIN),
        GuardedRoute("/inrichting/versies/{version}", version_diff, Who.FUNCTIONAL_ADMIN),
        GuardedRoute("/inrichting/versies/{version}/publiceren", publish_again, Who.FUNCTIONAL_ADMIN, methods=["POST"]),
        GuardedRoute("/inrichting/uitkomst/{command_id}", outcome_page, Who.FUNCTIONAL_ADMIN),
    ]


def _changed(before: Mapping[str, str], after_: Mapping[str, str], _: Gettext) -> list[str]:
    """What differs between two versions, as an administrator names it: a workflow, the mapping, the groups."""
    names = {
        ROUTES: _("de koppelingen"),
        USERS: _("de groepen"),
        reaction_templates.FILE: _("de reactiesjablonen"),
        item_type.FILE: _("de instellingen"),
    }
    for files in (before, after_):
        for name, (path, _document) in workflows_of(files).items():
            names[path] = _("workflow %(name)s") % {"name": name}
    return sorted(names.get(path, path) for path in set(before) | set(after_) if before.get(path) != after_.get(path))
