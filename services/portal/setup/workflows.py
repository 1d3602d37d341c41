"""Inrichting's overview and workflows: the item type's setting, the workflows of the version in use and where
each is used; a new workflow based on another, a change to one, and publishing either."""

import uuid

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from services.portal.guards import GuardedRoute, Who
from services.portal.i18n import N_
from services.portal.languages import gettext_for
from services.portal.setup import files as versions
from services.portal.setup.desk import SetupDesk, after, errors, notices, problems_sentence, refused, typed
from services.portal.setup.mapping_form import rules_of
from services.portal.setup.workflow_form import WorkflowForm, with_workflow
from services.portal.viewers import check_csrf, render, viewer

PUBLISHED = N_("De workflow is succesvol gepubliceerd.")
"""The source document's words for a publication that went through (translated on the page)."""


def workflow_routes(desk: SetupDesk) -> list[GuardedRoute]:
    portal = desk.portal

    async def overview(request: Request) -> Response:
        await viewer(portal, request)
        version, files = await desk.latest(request)
        rules = rules_of(files)
        workflows = [
            {
                "name": name,
                "task_manager": document.get("task_manager") or "",
                "tasks": WorkflowForm.of(document, basis=name, new=False).tasks,
                "used_by": [r.message_type for r in rules if r.workflow == name],
            }
            for name, (_, document) in versions.workflows_of(files).items()
        ]
        async with portal.pool().acquire() as conn:
            latest = await conn.fetch(
                "SELECT version, published_by, writer, published_at FROM portal.setup_versions"
                " ORDER BY version DESC LIMIT 5"
            )
        context = {
            "version": version,
            "workflows": workflows,
            "rules": rules,
            "templates": versions.templates_of(files),
            "settings": versions.settings_of(files),
            "versions": latest,
            "command_id": uuid.uuid4(),
        }
        return render(request, "setup.html", context | notices(request))

    async def new_workflow(request: Request) -> Response:
        await viewer(portal, request)
        version, files = await desk.latest(request)
        workflows = versions.workflows_of(files)
        basis = request.query_params.get("basis", "standard")
        if basis not in workflows:
            basis = "standard" if "standard" in workflows else next(iter(workflows))
        form = WorkflowForm.of(workflows[basis][1], basis=basis, new=True)
        return _workflow_page(request, form, version, files)

    async def edit_workflow(request: Request) -> Response:
        await viewer(portal, request)
        version, files = await desk.latest(request)
        found = versions.workflows_of(files).get(request.path_params["name"])
        if found is None:
            raise HTTPException(404)
        form = WorkflowForm.of(found[1], basis=found[1]["name"], new=False)
        return _workflow_page(request, form, version, files)

    async def publish_workflow(request: Request) -> Response:
        asking = await viewer(portal, request)
        sent = await request.form()
        check_csrf(request, sent)
        version, files = await desk.edited(sent)
        workflows = versions.workflows_of(files)
        basis = workflows.get(str(sent.get("basis", "")))
        if basis is None:
            raise HTTPException(404)
        form = WorkflowForm.answered(typed(sent), basis[1], new=sent.get("nieuw") == "1")
        mistakes = form.mistakes(lambda name: name in workflows)
        if mistakes:
            return _workflow_page(request, form, version, files, mistakes=mistakes)
        outcome = await desk.send(asking.user, sent, version, with_workflow(files, form.document(basis[1])))
        if refused(outcome):
            return _workflow_page(request, form, version, files, outcome=outcome)
        return after(request, outcome, sent, gettext_for(request)(PUBLISHED))

    async def item_settings(request: Request) -> Response:
        asking = await viewer(portal, request)
        sent = await request.form()
        check_csrf(request, sent)
        version, files = await desk.edited(sent)
        confidential = sent.get("vertrouwelijk") == "1"
        outcome = await desk.send(asking.user, sent, version, versions.with_settings(files, confidential))
        _ = gettext_for(request)
        if refused(outcome):
            request.session["error"] = problems_sentence(outcome, _)
            return RedirectResponse("/inrichting", status_code=303)
        return after(request, outcome, sent, _("De instellingen zijn gepubliceerd."))

    return [
        GuardedRoute("/inrichting", overview, Who.FUNCTIONAL_ADMIN),
        GuardedRoute("/inrichting/nieuw", new_workflow, Who.FUNCTIONAL_ADMIN),
        GuardedRoute("/inrichting/workflow", publish_workflow, Who.FUNCTIONAL_ADMIN, methods=["POST"]),
        GuardedRoute("/inrichting/workflow/{name}", edit_workflow, Who.FUNCTIONAL_ADMIN),
        GuardedRoute("/inrichting/instellingen", item_settings, Who.FUNCTIONAL_ADMIN, methods=["POST"]),
    ]


def _workflow_page(
    request: Request,
    form: WorkflowForm,
    version: int,
    files: dict[str, str],
    *,
    mistakes: dict[str, str] | None = None,
    outcome: object = None,
) -> Response:
    found = errors(gettext_for(request), mistakes, outcome, tasks=[t.task for t in form.tasks])
    context = {
        "form": form,
        "version": version,
        "workflows": sorted(versions.workflows_of(files)),
        "groups": versions.groups_of(files),
        "errors": found,
        "command_id": uuid.uuid4(),
    }
    return render(request, "setup_workflow.html", context, 400 if found else 200)
