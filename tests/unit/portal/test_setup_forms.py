"""The set-up pages' pure part: a workflow's form and the file it becomes, the mapping's rows and routes.yaml, the
preview, and workflow's problems placed next to their fields in the reader's words."""

import yaml

from services.portal.i18n import gettext
from services.portal.setup import files, mapping_form, template_form, workflow_form
from services.portal.setup.problems import SUMMARY, in_words, placed
from services.portal.setup.workflow_form import WorkflowForm
from shared import reaction_templates

STANDARD = {
    "name": "standard",
    "task_manager": "taakmanager",
    "start_task": workflow_form.CLIENT_TASK,
    "tasks": [
        {
            "name": workflow_form.CLIENT_TASK,
            "assignees": ["@destination"],
            "actions": [{"name": "Goedkeuren bericht", "leads_to": "approved"}],
        },
        {
            "name": workflow_form.OFFICE_TASK,
            "assignees": ["@kantoor"],
            "actions": [{"name": "Afkeuren bericht", "leads_to": "rejected"}],
            "deadline_hours": 72.0,
        },
    ],
}
FILES = {
    "workflows/standard.yaml": yaml.safe_dump(STANDARD),
    "routes.yaml": yaml.safe_dump([{"message_type": "btw-aangifte", "workflow": "standard"}]),
    "users.yaml": yaml.safe_dump({"groups": {"kantoor": ["medewerker"], "jaarrekening": ["jan"]}}),
}


def test_a_workflow_shows_who_handles_its_client_facing_tasks():
    form = WorkflowForm.of(STANDARD, basis="standard", new=False)
    assert [(t.handler, t.group, t.deadline) for t in form.tasks] == [
        (workflow_form.Handler.CONTACTS, "", ""),
        (workflow_form.Handler.GROUP, "kantoor", "72"),
    ]
    assert form.task_manager == "taakmanager" and files.groups_of(FILES) == ["jaarrekening", "kantoor"]


def test_a_new_workflow_from_the_form_keeps_the_basis_tasks_and_actions_and_takes_the_choices():
    sent = {
        "naam": " KvK ",
        "taak-0-wie": "users",
        "taak-0-gebruikers": "jan, , piet",
        "taak-0-termijn": "1,5",
        "taak-1-wie": "group",
        "taak-1-groep": "jaarrekening",
        "taak-1-termijn": "",
        "taakbeheerder": "jaarrekening-beheerder",
    }
    form = WorkflowForm.answered(sent, STANDARD, new=True)
    assert form.mistakes(lambda name: False) == {}
    document = form.document(STANDARD)
    assert document["name"] == "KvK" and document["task_manager"] == "jaarrekening-beheerder"
    client, office = document["tasks"]
    assert client["assignees"] == ["jan", "piet"] and client["deadline_hours"] == 1.5
    assert office["assignees"] == ["@jaarrekening"] and "deadline_hours" not in office
    assert [a["name"] for t in document["tasks"] for a in t["actions"]] == ["Goedkeuren bericht", "Afkeuren bericht"]
    assert STANDARD["tasks"][1]["deadline_hours"] == 72.0  # the basis is not changed
    changed = workflow_form.with_workflow(FILES, document)
    assert yaml.safe_load(changed["workflows/kvk.yaml"])["name"] == "KvK"
    assert changed["routes.yaml"] == FILES["routes.yaml"]


def test_the_form_itself_refuses_an_empty_or_taken_name_and_a_deadline_that_is_no_number():
    taken = WorkflowForm.answered({"naam": "standard", "taak-0-termijn": "twee dagen"}, STANDARD, new=True)
    assert taken.mistakes(lambda name: name == "standard") == {
        "naam": "Er is al een workflow met deze naam; kies een andere naam.",
        "taak-0": "Geef de termijn als een aantal uren, bijvoorbeeld 72, of laat hem leeg.",
    }
    assert WorkflowForm.answered({"taak-1-termijn": "-3"}, STANDARD, new=True).mistakes(lambda n: False) == {
        "naam": "Geef de workflow een naam.",
        "taak-1": "Geef de termijn als een aantal uren, bijvoorbeeld 72, of laat hem leeg.",
    }
    edited = WorkflowForm.answered({"naam": "other"}, STANDARD, new=False)
    assert (
        edited.name == "standard"
        and workflow_form.with_workflow(FILES, edited.document(STANDARD)).keys() == FILES.keys()
    )


def test_a_new_file_never_overwrites_another():
    assert workflow_form.new_file({"workflows/kvk.yaml": ""}, "KvK") == "workflows/kvk-2.yaml"
    assert workflow_form.new_file({}, "Belastingdienst Utrecht") == "workflows/belastingdienst-utrecht.yaml"


def test_the_mapping_is_ordered_by_the_numbers_given_and_rows_removed_or_empty_are_left_out():
    sent = {
        "regel-0-soort": "btw-aangifte",
        "regel-0-workflow": "standard",
        "regel-0-volgorde": "3",
        "regel-1-soort": "btw-aangifte",
        "regel-1-kenmerken": "vestiging=Utrecht",
        "regel-1-workflow": "Utrecht",
        "regel-1-volgorde": "1",
        "regel-2-soort": "icp-aangifte",
        "regel-2-workflow": "standard",
        "regel-2-weg": "1",
        "regel-3-soort": "",
    }
    rules, mistakes = mapping_form.answered_rules(sent, 4)
    assert mistakes == {}
    assert [(r.message_type, r.workflow) for r in rules] == [("btw-aangifte", "Utrecht"), ("btw-aangifte", "standard")]
    assert yaml.safe_load(mapping_form.with_rules(FILES, rules)["routes.yaml"]) == [
        {"message_type": "btw-aangifte", "characteristics": {"vestiging": "Utrecht"}, "workflow": "Utrecht"},
        {"message_type": "btw-aangifte", "workflow": "standard"},
    ]
    assert mapping_form.preview(rules, "btw-aangifte", "vestiging=Utrecht; jaar=2024") == (1, rules[0])
    assert mapping_form.preview(rules, "btw-aangifte", "") == (2, rules[1])
    assert mapping_form.preview(rules, "kvk-stukken", "") is None
    assert mapping_form.rules_of(mapping_form.with_rules(FILES, rules)) == rules


def test_a_mapping_row_that_cannot_be_read_is_named():
    sent = {"regel-0-soort": "btw-aangifte", "regel-0-kenmerken": "Utrecht", "regel-0-workflow": "standard"}
    assert mapping_form.answered_rules(sent, 1)[1] == {
        "regel-0": "Schrijf kenmerken als naam=waarde, gescheiden door puntkomma's."
    }
    assert mapping_form.answered_rules({"regel-0-soort": "x"}, 1)[1] == {"regel-0": "Kies de workflow van deze regel."}


def test_workflows_problems_are_placed_by_task_and_said_in_the_readers_words():
    problems = [
        {"file": "workflows/kvk.yaml", "workflow": "KvK", "task": workflow_form.OFFICE_TASK,
         "message": "assignee '@bestaat-niet' names an unknown group"},
        {"file": "workflows/kvk.yaml", "workflow": "KvK", "task": None,
         "message": "task_manager must be one user, not the group '@kantoor'"},
        {"file": "routes.yaml", "workflow": None, "task": None,
         "message": "rule 2 (btw-aangifte) never matches: rule 1 matches the same messages first"},
        {"file": "workflows/kvk.yaml", "workflow": "KvK", "task": None, "message": "something new"},
    ]  # fmt: skip
    fields = placed(problems, [workflow_form.CLIENT_TASK, workflow_form.OFFICE_TASK])
    assert {field: len(found) for field, found in fields.items()} == {
        "taak-1": 1,
        "taakbeheerder": 1,
        SUMMARY: 2,
    }
    dutch = [in_words(p, lambda text: gettext("nl", text)) for p in problems]
    english = [in_words(p, lambda text: gettext("en", text)) for p in problems]
    assert dutch[:3] == [
        "Er is geen groep 'bestaat-niet'.",
        "De taakbeheerder is één gebruiker, geen groep (@kantoor).",
        "Regel 2 (btw-aangifte) komt nooit aan de beurt: regel 1 vangt dezelfde berichten eerder af.",
    ]
    assert english[0] == "There is no group 'bestaat-niet'." and english[3] == dutch[3] == "something new"


def test_reaction_templates_are_added_ordered_and_removed_in_both_languages_and_keep_their_keys():
    published = template_form.with_templates(FILES, reaction_templates.parse(TEMPLATES))
    assert [t.key for t in files.templates_of(published)] == ["bedrag", "periode"]
    sent = {
        "sjabloon-0-sleutel": "bedrag",
        "sjabloon-0-volgorde": "2",
        "sjabloon-0-nl-titel": "Bedrag klopt niet",
        "sjabloon-0-nl-tekst": "Het bedrag klopt niet.",
        "sjabloon-1-sleutel": "periode",
        "sjabloon-1-weg": "1",
        "sjabloon-1-nl-titel": "Periode",
        "sjabloon-1-nl-tekst": "Andere periode.",
        "sjabloon-2-volgorde": "1",
        "sjabloon-2-nl-titel": "Bedrag klopt niet!",
        "sjabloon-2-nl-tekst": "Nog eens.",
        "sjabloon-2-en-titel": "Amount wrong",
        "sjabloon-2-en-tekst": "Again.",
    }
    chosen, mistakes, shown = template_form.answered_templates(sent, 3)
    assert mistakes == {} and [row.removed for row in shown] == [False, True, False]
    assert [(t.key, t.nl.title if t.nl else None, t.en is not None) for t in chosen] == [
        ("bedrag-klopt-niet", "Bedrag klopt niet!", True),
        ("bedrag", "Bedrag klopt niet", False),
    ]
    assert files.templates_of(template_form.with_templates(published, chosen)) == chosen


def test_a_template_with_a_title_but_no_text_in_a_language_is_named():
    sent = {"sjabloon-0-nl-titel": "Alleen een titel", "sjabloon-0-en-titel": "x", "sjabloon-0-en-tekst": "y"}
    chosen, mistakes, shown = template_form.answered_templates(sent, 1)
    assert chosen == [] and mistakes == {"sjabloon-0": template_form.BOTH}
    assert shown[0].wording("nl") == ("Alleen een titel", "") and shown[0].title() == "Alleen een titel"


TEMPLATES = """
Accorderingsbericht:
  - key: bedrag
    nl: {title: Bedrag, text: Het bedrag klopt niet.}
  - key: periode
    nl: {title: Periode, text: Andere periode.}
    en: {title: Period, text: Another period.}
"""
