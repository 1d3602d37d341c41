"""Inrichting: the functional administrator's pages for the item type Accorderingsbericht, as the source document
walks them: its workflows (new, based on another; who handles the client's tasks, the task manager, deadlines),
the mapping of message types to workflows with a preview, its reaction templates in both languages, and the
versions published, each of which can be published again.

Nothing here writes workflow's tables: every change is a set-up command on the portal's own set-up topic, which
workflow judges with the same checks as `accordeer workflows publish` and answers on workflow.setup.outcomes
(the projection keeps the answers and every version in ``portal.setup_outcomes`` and ``portal.setup_versions``).
A page waits a moment for the answer, then shows "De workflow is succesvol gepubliceerd." or each problem next to
its field. A form carries its command's id, so sending it twice publishes once.
"""

import asyncio
import difflib
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from services.portal import setup_forms as forms
from services.portal.guards import GuardedRoute, Who
from services.portal.i18n import N_
from services.portal.languages import gettext_for
from services.portal.setup_problems import SUMMARY, in_words, placed
from services.portal.viewers import check_csrf, render, viewer
from shared import item_type
from shared.contracts.setup import KEY, SetupCommand
from shared.db import outbox
from shared.db.outbox import OutboxRecord
from shared.reaction_templates import FILE
from shared.topics import PORTAL_WRITER

if TYPE_CHECKING:  # for annotations only: web.py imports this module
    from services.portal.web import Portal

PUBLISHED = N_("De workflow is succesvol gepubliceerd.")
"""The source document's words for a publication that went through (translated on the page)."""


def setup_routes(portal: "Portal") -> list[GuardedRoute]:
    async def latest(request: Request) -> tuple[int, dict[str, str]]:
        async with portal.pool().acquire() as conn:
            row = await conn.fetchrow("SELECT version, files FROM portal.setup_versions ORDER BY version DESC LIMIT 1")
        if row is None:  # the seed (`accordeer setup`) reaches the portal once workflow runs and relays it
            _ = gettext_for(request)
            raise HTTPException(503, _("Er is nog geen versie gepubliceerd; probeer het zo opnieuw."))
        return row["version"], dict(row["files"])

    async def overview(request: Request) -> Response:
        await viewer(portal, request)
        version, files = await latest(request)
        rules = forms.rules_of(files)
        workflows = [
            {
                "name": name,
                "task_manager": document.get("task_manager") or "",
                "tasks": forms.WorkflowForm.of(document, basis=name, new=False).tasks,
                "used_by": [r.message_type for r in rules if r.workflow == name],
            }
            for name, (_, document) in forms.workflows_of(files).items()
        ]
        async with portal.pool().acquire() as conn:
            versions = await conn.fetch(
                "SELECT version, published_by, writer, published_at FROM portal.setup_versions"
                " ORDER BY version DESC LIMIT 5"
            )
        context = {
            "version": version,
            "workflows": workflows,
            "rules": rules,
            "templates": forms.templates_of(files),
            "settings": forms.settings_of(files),
            "versions": versions,
            "command_id": uuid.uuid4(),
        }
        return render(request, "setup.html", context | _notices(request))

    async def new_workflow(request: Request) -> Response:
        await viewer(portal, request)
        version, files = await latest(request)
        workflows = forms.workflows_of(files)
        basis = request.query_params.get("basis", "standard")
        if basis not in workflows:
            basis = "standard" if "standard" in workflows else next(iter(workflows))
        form = forms.WorkflowForm.of(workflows[basis][1], basis=basis, new=True)
        return _workflow_page(request, form, version, files)

    async def edit_workflow(request: Request) -> Response:
        await viewer(portal, request)
        version, files = await latest(request)
        found = forms.workflows_of(files).get(request.path_params["name"])
        if found is None:
            raise HTTPException(404)
        form = forms.WorkflowForm.of(found[1], basis=found[1]["name"], new=False)
        return _workflow_page(request, form, version, files)

    async def publish_workflow(request: Request) -> Response:
        asking = await viewer(portal, request)
        sent = await request.form()
        check_csrf(request, sent)
        version, files = await _version_edited(sent)
        workflows = forms.workflows_of(files)
        new = sent.get("nieuw") == "1"
        basis = workflows.get(str(sent.get("basis", "")))
        if basis is None:
            raise HTTPException(404)
        form = forms.WorkflowForm.answered(_text(sent), basis[1], new=new)
        mistakes = form.mistakes(lambda name: name in workflows)
        if mistakes:
            return _workflow_page(request, form, version, files, mistakes=mistakes, status=400)
        changed = forms.with_workflow(files, form.document(basis[1]))
        outcome = await _send(asking.user, sent, version, changed)
        if outcome is not None and outcome["version"] is None:
            return _workflow_page(request, form, version, files, outcome=outcome, status=400)
        return _after(request, outcome, sent, gettext_for(request)(PUBLISHED))

    async def mapping(request: Request) -> Response:
        await viewer(portal, request)
        version, files = await latest(request)
        return _mapping_page(request, version, files, forms.rules_of(files))

    async def publish_mapping(request: Request) -> Response:
        asking = await viewer(portal, request)
        sent = await request.form()
        check_csrf(request, sent)
        version, files = await _version_edited(sent)
        rows = str(sent.get("regels", ""))
        count = min(int(rows), 500) if rows.isdigit() else 0
        rules, mistakes = forms.answered_rules(_text(sent), count)
        if mistakes:
            return _mapping_page(request, version, files, rules, mistakes=mistakes, status=400)
        outcome = await _send(asking.user, sent, version, forms.with_rules(files, rules))
        if outcome is not None and outcome["version"] is None:
            return _mapping_page(request, version, files, rules, outcome=outcome, status=400)
        _ = gettext_for(request)
        return _after(request, outcome, sent, _("De koppelingen zijn gepubliceerd."))

    async def item_settings(request: Request) -> Response:
        asking = await viewer(portal, request)
        sent = await request.form()
        check_csrf(request, sent)
        version, files = await _version_edited(sent)
        outcome = await _send(asking.user, sent, version, forms.with_settings(files, sent.get("vertrouwelijk") == "1"))
        _ = gettext_for(request)
        if outcome is not None and outcome["version"] is None:
            request.session["error"] = _problems_sentence(outcome, _)
            return RedirectResponse("/inrichting", status_code=303)
        return _after(request, outcome, sent, _("De instellingen zijn gepubliceerd."))

    async def templates(request: Request) -> Response:
        await viewer(portal, request)
        version, files = await latest(request)
        return _templates_page(request, version, forms.template_rows(forms.templates_of(files)))

    async def publish_templates(request: Request) -> Response:
        asking = await viewer(portal, request)
        sent = await request.form()
        check_csrf(request, sent)
        version, files = await _version_edited(sent)
        rows = str(sent.get("sjablonen", ""))
        count = min(int(rows), 500) if rows.isdigit() else 0
        chosen, mistakes, shown = forms.answered_templates(_text(sent), count)
        if mistakes:
            return _templates_page(request, version, shown, mistakes=mistakes, status=400)
        outcome = await _send(asking.user, sent, version, forms.with_templates(files, chosen))
        if outcome is not None and outcome["version"] is None:
            return _templates_page(request, version, shown, outcome=outcome, status=400)
        _ = gettext_for(request)
        return _after(request, outcome, sent, _("De reactiesjablonen zijn gepubliceerd."))

    async def versions(request: Request) -> Response:
        await viewer(portal, request)
        async with portal.pool().acquire() as conn:
            rows = await conn.fetch("SELECT * FROM portal.setup_versions ORDER BY version DESC")
        if not rows:
            await latest(request)  # says that nothing was published yet
        _ = gettext_for(request)
        listed = []
        for row, earlier in zip(rows, [*rows[1:], None], strict=True):
            changed = _changed(dict(earlier["files"]), dict(row["files"]), _) if earlier else None
            listed.append({**dict(row), "changed": changed, "command_id": uuid.uuid4()})
        context = {"versions": listed, "newest": rows[0]["version"]}
        return render(request, "setup_versions.html", context | _notices(request))

    async def version_diff(request: Request) -> Response:
        await viewer(portal, request)
        number = _number(request.path_params["version"])
        async with portal.pool().acquire() as conn:
            rows = await conn.fetch(
                "SELECT * FROM portal.setup_versions WHERE version <= $1 ORDER BY version DESC LIMIT 2", number
            )
        if not rows or rows[0]["version"] != number:
            raise HTTPException(404)
        after, before = dict(rows[0]["files"]), dict(rows[1]["files"]) if len(rows) > 1 else {}
        lines = [
            line.rstrip("\n")
            for name in sorted(set(before) | set(after))
            for line in difflib.unified_diff(
                before.get(name, "").splitlines(keepends=True),
                after.get(name, "").splitlines(keepends=True),
                name,
                name,
            )
        ]
        return render(request, "setup_diff.html", {"version": rows[0], "lines": lines})

    async def publish_again(request: Request) -> Response:
        asking = await viewer(portal, request)
        sent = await request.form()
        check_csrf(request, sent)
        number = _number(request.path_params["version"])
        async with portal.pool().acquire() as conn:
            files = await conn.fetchval("SELECT files FROM portal.setup_versions WHERE version = $1", number)
        if files is None:
            raise HTTPException(404)
        newest, _files = await latest(request)
        outcome = await _send(asking.user, sent, newest, dict(files))
        _ = gettext_for(request)
        if outcome is not None and outcome["version"] is None:
            request.session["error"] = _problems_sentence(outcome, _)
            return RedirectResponse("/inrichting/versies", status_code=303)
        return _after(request, outcome, sent, _("Versie %(version)s is opnieuw gepubliceerd.") % {"version": number})

    async def outcome_page(request: Request) -> Response:
        await viewer(portal, request)
        try:
            command_id = str(uuid.UUID(request.path_params["command_id"]))
        except ValueError:
            raise HTTPException(404) from None
        async with portal.pool().acquire() as conn:
            outcome = await conn.fetchrow("SELECT * FROM portal.setup_outcomes WHERE command_id = $1", command_id)
        _ = gettext_for(request)
        if outcome is not None:
            if outcome["version"] is not None:
                request.session["notice"] = _("Gepubliceerd als versie %(version)s.") % {"version": outcome["version"]}
            else:
                request.session["error"] = _problems_sentence(outcome, _)
            return RedirectResponse("/inrichting", status_code=303)
        return render(request, "setup_pending.html", {"command_id": command_id})

    # --- helpers that need the portal ---

    async def _version_edited(sent: FormData) -> tuple[int, dict[str, str]]:
        """The version the form was made from (its files are what the change applies to)."""
        number = _number(str(sent.get("versie", "")))
        async with portal.pool().acquire() as conn:
            files = await conn.fetchval("SELECT files FROM portal.setup_versions WHERE version = $1", number)
        if files is None:
            raise HTTPException(404)
        return number, dict(files)

    async def _send(actor: str, sent: FormData, version: int, files: dict[str, str]) -> Any:
        """Send the command once (its id is the form's) and wait a moment for workflow's answer."""
        command = SetupCommand(command_id=_command_id(sent), actor=actor, based_on_version=version, files=files)
        async with portal.pool().acquire() as conn, conn.transaction():
            await outbox.append(
                conn, "portal", [OutboxRecord.of(portal.topics.setup_from(PORTAL_WRITER), KEY, command)]
            )
        deadline = asyncio.get_running_loop().time() + portal.settings.outcome_wait_seconds
        while asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.2)
            async with portal.pool().acquire() as conn:
                outcome = await conn.fetchrow(
                    "SELECT * FROM portal.setup_outcomes WHERE command_id = $1", command.command_id
                )
            if outcome is not None:
                return outcome
        return None

    def _after(request: Request, outcome: Any, sent: FormData, published: str) -> Response:
        if outcome is None:
            return RedirectResponse(f"/inrichting/uitkomst/{_command_id(sent)}", status_code=303)
        request.session["notice"] = published
        return RedirectResponse("/inrichting", status_code=303)

    return [
        GuardedRoute("/inrichting", overview, Who.FUNCTIONAL_ADMIN),
        GuardedRoute("/inrichting/nieuw", new_workflow, Who.FUNCTIONAL_ADMIN),
        GuardedRoute("/inrichting/workflow", publish_workflow, Who.FUNCTIONAL_ADMIN, methods=["POST"]),
        GuardedRoute("/inrichting/workflow/{name}", edit_workflow, Who.FUNCTIONAL_ADMIN),
        GuardedRoute("/inrichting/koppelingen", mapping, Who.FUNCTIONAL_ADMIN),
        GuardedRoute("/inrichting/koppelingen", publish_mapping, Who.FUNCTIONAL_ADMIN, methods=["POST"]),
        GuardedRoute("/inrichting/instellingen", item_settings, Who.FUNCTIONAL_ADMIN, methods=["POST"]),
        GuardedRoute("/inrichting/reactiesjablonen", templates, Who.FUNCTIONAL_ADMIN),
        GuardedRoute("/inrichting/reactiesjablonen", publish_templates, Who.FUNCTIONAL_ADMIN, methods=["POST"]),
        GuardedRoute("/inrichting/versies", versions, Who.FUNCTIONAL_ADMIN),
        GuardedRoute("/inrichting/versies/{version}", version_diff, Who.FUNCTIONAL_ADMIN),
        GuardedRoute("/inrichting/versies/{version}/publiceren", publish_again, Who.FUNCTIONAL_ADMIN, methods=["POST"]),
        GuardedRoute("/inrichting/uitkomst/{command_id}", outcome_page, Who.FUNCTIONAL_ADMIN),
    ]


def _workflow_page(
    request: Request,
    form: forms.WorkflowForm,
    version: int,
    files: dict[str, str],
    *,
    mistakes: dict[str, str] | None = None,
    outcome: Any = None,
    status: int = 200,
) -> Response:
    _ = gettext_for(request)
    errors = _errors(_, mistakes, outcome, tasks=[t.task for t in form.tasks])
    context = {
        "form": form,
        "version": version,
        "workflows": sorted(forms.workflows_of(files)),
        "groups": forms.groups_of(files),
        "errors": errors,
        "command_id": uuid.uuid4(),
    }
    return render(request, "setup_workflow.html", context, status)


def _mapping_page(
    request: Request,
    version: int,
    files: dict[str, str],
    rules: list[forms.Rule],
    *,
    mistakes: dict[str, str] | None = None,
    outcome: Any = None,
    status: int = 200,
) -> Response:
    _ = gettext_for(request)
    errors = _errors(_, mistakes, outcome)
    asked_type = request.query_params.get("soort", "").strip()
    asked = request.query_params.get("kenmerken", "").strip()
    try:
        found = forms.preview(rules, asked_type, asked) if asked_type else None
        unreadable = False
    except ValueError:
        found, unreadable = None, True
    context = {
        "version": version,
        "rules": rules,
        "workflows": sorted(forms.workflows_of(files)),
        "errors": errors,
        "asked_type": asked_type,
        "asked": asked,
        "found": found,
        "unreadable": unreadable,
        "command_id": uuid.uuid4(),
    }
    return render(request, "setup_mapping.html", context, status)


def _templates_page(
    request: Request,
    version: int,
    rows: list[forms.TemplateRow],
    *,
    mistakes: dict[str, str] | None = None,
    outcome: Any = None,
    status: int = 200,
) -> Response:
    _ = gettext_for(request)
    errors = _errors(_, mistakes, outcome)
    context = {"version": version, "rows": rows, "errors": errors, "command_id": uuid.uuid4()}
    return render(request, "setup_templates.html", context, status)


def _errors(
    _: Callable[[str], str], mistakes: dict[str, str] | None, outcome: Any, *, tasks: Sequence[str] = ()
) -> dict[str, list[str]]:
    """Field → what is wrong there, in the reader's words: what the portal found itself, then workflow's problems
    (by the form's task where they name one) and a newer version that came first; ``SUMMARY`` for the rest."""
    errors = {field: [_(text)] for field, text in (mistakes or {}).items()}
    if outcome is not None:
        for field, problems in placed(list(outcome["problems"]), tasks).items():
            errors.setdefault(field, []).extend(in_words(p, _) for p in problems)
        if outcome["superseded_by"] is not None:
            errors.setdefault(SUMMARY, []).append(_superseded(outcome, _))
    return errors


def _notices(request: Request) -> dict[str, object]:
    return {"notice": request.session.pop("notice", None), "error": request.session.pop("error", None)}


def _superseded(outcome: Any, _: Callable[[str], str]) -> str:
    return _(
        "Intussen is versie %(version)s gepubliceerd; uw wijziging is niet gepubliceerd. Open de pagina opnieuw en "
        "breng haar aan op de nieuwe versie."
    ) % {"version": outcome["superseded_by"]}


def _problems_sentence(outcome: Any, _: Callable[[str], str]) -> str:
    if outcome["superseded_by"] is not None:
        return _superseded(outcome, _)
    return " ".join(in_words(p, _) for p in outcome["problems"])


def _changed(before: dict[str, str], after: dict[str, str], _: Callable[[str], str]) -> list[str]:
    """What differs between two versions, as an administrator names it: a workflow, the mapping, the groups."""
    names = {
        forms.ROUTES: _("de koppelingen"),
        forms.USERS: _("de groepen"),
        FILE: _("de reactiesjablonen"),
        item_type.FILE: _("de instellingen"),
    }
    for files in (before, after):
        for name, (path, _document) in forms.workflows_of(files).items():
            names[path] = _("workflow %(name)s") % {"name": name}
    return sorted(names.get(path, path) for path in set(before) | set(after) if before.get(path) != after.get(path))


def _command_id(sent: FormData) -> str:
    try:
        return str(uuid.UUID(str(sent.get("command_id", ""))))
    except ValueError:
        return str(uuid.uuid4())


def _number(text: str) -> int:
    if not text.isdigit() or len(text) > 9:
        raise HTTPException(404)
    return int(text)


def _text(sent: FormData) -> dict[str, str]:
    return {key: value for key, value in sent.items() if isinstance(value, str)}
