"""Every validation rule, each shown by a broken definition under tests/data/workflows."""

from pathlib import Path

import pytest

from services.workflow.domain import PUBLISHED, ValidationProblem, WorkflowDefinition, publish_report, validate

BROKEN = Path(__file__).resolve().parents[3] / "tests" / "data" / "workflows"

STANDARD_FILE = "workflows/standard.yaml"

# case → the exact problems it must produce: (file, workflow, task, part of the message)
CASES = {
    "not_yaml.yaml": [("not_yaml.yaml", None, None, "YAML does not parse at line 3")],
    "not_a_mapping.yaml": [("not_a_mapping.yaml", None, None, "must be a mapping")],
    "duplicate_yaml_key.yaml": [("duplicate_yaml_key.yaml", None, None, "duplicate key 'task_manager'")],
    "unknown_key.yaml": [
        ("unknown_key.yaml", "Onbekende sleutel", "Beoordelen", "unknown key 'leadsto' in tasks[0].actions[0]"),
        ("unknown_key.yaml", "Onbekende sleutel", "Beoordelen", "missing required key 'leads_to'"),
    ],
    "unknown_top_key.yaml": [("unknown_top_key.yaml", "Onbekende sleutel bovenaan", None, "unknown key 'taskmanager'")],
    "blank_name.yaml": [
        ("blank_name.yaml", " Spatie ervoor", None, "name: must not be empty or start or end with whitespace")
    ],
    "bad_deadline.yaml": [("bad_deadline.yaml", "Verkeerde termijn", "Beoordelen aangifte klant", "greater than 0")],
    "unknown_base.yaml": [
        ("unknown_base.yaml", "Onbekende basis", None, "based_on names unknown workflow 'standaard'")
    ],
    "self_based.yaml": [
        ("self_based.yaml", "Op zichzelf gebaseerd", None, "cycle: Op zichzelf gebaseerd → Op zichzelf gebaseerd")
    ],
    "cycle": [
        ("cycle/a.yaml", "Cyclus A", None, "cycle: Cyclus A → Cyclus B → Cyclus A"),
        ("cycle/b.yaml", "Cyclus B", None, "cycle: Cyclus A → Cyclus B → Cyclus A"),
    ],
    "broken_base": [
        ("broken_base/base.yaml", "Kapotte basis", "Beoordelen", "unknown key 'deadline'"),
        (
            "broken_base/derived.yaml",
            "Op kapotte basis",
            None,
            "base workflow 'Kapotte basis' (broken_base/base.yaml) has errors",
        ),
    ],
    "duplicate_name": [
        ("duplicate_name/two.yaml", "Tweemaal", None, "'Tweemaal' is already used by duplicate_name/one.yaml")
    ],
    "missing_approve.yaml": [
        ("missing_approve.yaml", "Zonder goedkeuren", None, "no action 'Goedkeuren bericht' leading to 'approved'")
    ],
    "missing_reject.yaml": [
        ("missing_reject.yaml", "Zonder afkeuren", None, "no action 'Afkeuren bericht' leading to 'rejected'")
    ],
    "approve_leads_elsewhere.yaml": [
        (
            "approve_leads_elsewhere.yaml",
            "Goedkeuren verkeerd",
            None,
            "no action 'Goedkeuren bericht' leading to 'approved'",
        ),
        (
            "approve_leads_elsewhere.yaml",
            "Goedkeuren verkeerd",
            "Beoordelen",
            "'Goedkeuren bericht' must lead to 'approved', not 'Controleren'",
        ),
        (
            "approve_leads_elsewhere.yaml",
            "Goedkeuren verkeerd",
            "Controleren",
            "'Akkoord' leads to 'approved'; only 'Goedkeuren bericht' may",
        ),
    ],
    "unknown_target.yaml": [
        (
            "unknown_target.yaml",
            "Onbekend doel",
            "Beoordelen reactie van klant",
            "'Doorsturen' leads to 'Beoordelen door partner', which is neither a task",
        ),
    ],
    "unknown_start.yaml": [
        ("unknown_start.yaml", "Onbekende start", None, "start_task 'Beoordelen aangifte' is not a task")
    ],
    "missing_start.yaml": [("missing_start.yaml", "Zonder start", None, "start_task is missing")],
    "no_tasks.yaml": [
        ("no_tasks.yaml", "Zonder taken", None, "the workflow has no tasks"),
        ("no_tasks.yaml", "Zonder taken", None, "start_task 'Beoordelen' is not a task"),
        ("no_tasks.yaml", "Zonder taken", None, "no action 'Goedkeuren bericht'"),
        ("no_tasks.yaml", "Zonder taken", None, "no action 'Afkeuren bericht'"),
    ],
    "unreachable_task.yaml": [
        (
            "unreachable_task.yaml",
            "Onbereikbaar",
            "Controle door partner",
            "cannot be reached from the start task 'Beoordelen aangifte klant'",
        ),
    ],
    "no_way_out.yaml": [
        ("no_way_out.yaml", "Geen uitweg", "Beoordelen reactie van klant", "no path of actions from this task ends"),
        ("no_way_out.yaml", "Geen uitweg", "Beoordelen door partner", "no path of actions from this task ends"),
    ],
    "task_without_actions.yaml": [
        ("task_without_actions.yaml", "Taak zonder acties", "Beoordelen reactie van klant", "the task has no actions")
    ],
    "empty_assignees.yaml": [
        ("empty_assignees.yaml", "Niemand toegewezen", "Beoordelen reactie van klant", "the task has no assignees")
    ],
    "bad_assignee.yaml": [
        (
            "bad_assignee.yaml",
            "Rare toegewezene",
            "Beoordelen reactie van klant",
            "assignee '@' is not a user id or @group",
        )
    ],
    "unknown_group.yaml": [
        ("unknown_group.yaml", "Onbekende groep", "Beoordelen reactie van klant", "'@partners' names an unknown group")
    ],
    "duplicate_task.yaml": [("duplicate_task.yaml", "Dubbele taak", "Beoordelen", "duplicate task name")],
    "duplicate_action.yaml": [
        (
            "duplicate_action.yaml",
            "Dubbele actie",
            "Beoordelen reactie van klant",
            "duplicate action name 'Afkeuren bericht'",
        )
    ],
    "override_unknown_task.yaml": [
        (
            "override_unknown_task.yaml",
            "Onbekende taak overschreven",
            "Beoordelen aangifte",
            "'assignees' override names unknown task",
        ),
        (
            "override_unknown_task.yaml",
            "Onbekende taak overschreven",
            "Beoordelen reactie",
            "'deadlines' override names unknown task",
        ),
    ],
    "override_without_base.yaml": [
        ("override_without_base.yaml", "Overschrijven zonder basis", None, "only allowed in a workflow with based_on")
    ],
    "reserved_action.yaml": [
        (
            "reserved_action.yaml",
            "Gereserveerde actie",
            "Beoordelen reactie van klant",
            "'Taak toewijzen' is reserved for the task manager",
        )
    ],
    "reserved_task_name.yaml": [
        ("reserved_task_name.yaml", "Gereserveerde taaknaam", "approved", "the task name 'approved' is reserved"),
        (
            "reserved_task_name.yaml",
            "Gereserveerde taaknaam",
            "Beoordelen reactie van klant",
            "'Doorsturen' leads to 'approved'; only",
        ),
    ],
    "group_task_manager.yaml": [
        (
            "group_task_manager.yaml",
            "Groep als taakmanager",
            None,
            "task_manager must be one user, not the group '@kantoor'",
        )
    ],
}


def broken_files(case: str, standard_text: str) -> dict[str, str]:
    path = BROKEN / case
    paths = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    return {STANDARD_FILE: standard_text} | {
        p.relative_to(BROKEN).as_posix(): p.read_text(encoding="utf-8") for p in paths
    }


def test_every_broken_definition_has_a_case():
    on_disk = {p.name for p in BROKEN.iterdir() if p.suffix != ".md"}
    assert on_disk == set(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_definition_is_reported_exactly(case, standard_text, directory):
    _, problems = validate(broken_files(case, standard_text), directory)

    found = [(p.file, p.workflow, p.task, p.message) for p in problems]
    assert len(found) == len(CASES[case]), "\n".join(map(str, problems))
    for file, workflow, task, fragment in CASES[case]:
        assert any((f, w, t) == (file, workflow, task) and fragment in m for f, w, t, m in found), (
            f"missing {fragment!r} in:\n" + "\n".join(map(str, problems))
        )


def test_the_standard_workflow_alone_is_valid(standard_text, directory):
    workflows, problems = validate({STANDARD_FILE: standard_text}, directory)

    assert problems == []
    assert set(workflows) == {"standard"}


def test_shipped_configuration_validates_clean(shipped):
    assert shipped.problems == ()
    assert set(shipped.workflows) == {"standard", "Belastingdienst", "KvK"}
    assert shipped.report() == [f"{name}: {PUBLISHED}" for name in ("Belastingdienst", "KvK", "standard")]


def test_every_error_in_every_file_is_listed_not_just_the_first(standard_text, directory):
    files = {STANDARD_FILE: standard_text} | {
        case: (BROKEN / case).read_text(encoding="utf-8")
        for case in ("unknown_target.yaml", "missing_approve.yaml", "empty_assignees.yaml", "not_yaml.yaml")
    }
    files["many.yaml"] = """
name: Veel fouten
start_task: Start
tasks:
  - name: Start
    assignees: []
    actions:
      - {name: Verder, leads_to: Nergens}
  - name: Vergeten
    assignees: [klant]
"""

    _, problems = validate(files, directory)

    assert {p.file for p in problems} == set(files) - {STANDARD_FILE}
    many = {(p.task, p.message) for p in problems if p.file == "many.yaml"}
    assert len(many) == 7, many  # no approve, no reject, no assignees, bad target, unreachable, no actions, no way out


def test_without_a_directory_groups_are_not_checked(standard_text):
    files = broken_files("unknown_group.yaml", standard_text)

    assert validate(files)[1] == []


def test_parsed_documents_are_accepted_as_well_as_text(standard):
    workflows, problems = validate({"stored": standard.as_document()})

    assert problems == []
    assert workflows["standard"] == standard


def test_a_flat_definition_survives_its_stored_document(shipped):
    for definition in shipped.workflows.values():
        assert WorkflowDefinition.from_document(definition.as_document()) == definition


def test_publish_report_lists_problems_instead_of_success():
    problem = ValidationProblem(file="workflows/x.yaml", workflow="X", task="T", message="the task has no actions")

    assert publish_report([problem], ["X"]) == ["workflows/x.yaml: workflow 'X': task 'T': the task has no actions"]
    assert publish_report([], ["X", "A"]) == [f"A: {PUBLISHED}", f"X: {PUBLISHED}"]
    assert PUBLISHED == "De workflow is succesvol gepubliceerd."
