"""Accessibility basics of the rendered pages, in both languages: every field has a label, every button says
what it does and submits a form to the server (no flow needs JavaScript), headings go down one level at a time."""

from itertools import pairwise

import pytest
from lxml import html

from services.portal.inbox import filtered
from services.portal.setup import files, mapping_form, template_form
from services.portal.setup.workflow_form import WorkflowForm
from shared import reaction_templates
from tests.unit.portal.test_portal_languages import ITEM, TASK, render, task_page
from tests.unit.portal.test_setup_forms import FILES, STANDARD, TEMPLATES

SETUP = {"role": "functional_admin", "version": 1, "command_id": "c"}

PAGES = {
    "login": lambda language: render(language, "login.html", error=""),
    "inbox": lambda language: render(language, "inbox.html", inbox=filtered([ITEM], {}), now=TASK.due_at),
    "task": task_page,
    "manage": lambda language: render(
        language, "manage.html", workflows={"belastingdienst": [ITEM]}, now=TASK.due_at, role="task_manager"
    ),
    "set-up workflow": lambda language: render(
        language,
        "setup_workflow.html",
        form=WorkflowForm.of(STANDARD, basis="standard", new=True),
        workflows=["standard"],
        groups=files.groups_of(FILES),
        errors={"taak-1": ["x"], "": ["y"]},
        **SETUP,
    ),
    "set-up templates": lambda language: render(
        language,
        "setup_templates.html",
        rows=template_form.template_rows(reaction_templates.parse(TEMPLATES)),
        errors={"sjabloon-1": ["x"]},
        **SETUP,
    ),
    "set-up mapping": lambda language: render(
        language,
        "setup_mapping.html",
        rules=mapping_form.rules_of(FILES),
        workflows=["standard"],
        errors={},
        asked_type="btw-aangifte",
        asked="",
        found=(1, mapping_form.rules_of(FILES)[0]),
        unreadable=False,
        **SETUP,
    ),
}


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_fields_are_labelled_buttons_submit_forms_and_headings_are_in_order(page, language):
    tree = html.fromstring(PAGES[page](language))
    labelled = {label.get("for") for label in tree.iter("label")}
    for field in tree.xpath("//input[not(@type='hidden')] | //select | //textarea"):
        assert field.get("id") in labelled or field.get("aria-label"), html.tostring(field)
    for button in tree.iter("button"):
        form = button.xpath("ancestor::form")
        assert button.get("type") == "submit" and button.text_content().strip() and form and form[0].get("action")
    levels = [int(h.tag[1]) for h in tree.xpath("//h1 | //h2 | //h3 | //h4")]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in pairwise(levels)), levels
