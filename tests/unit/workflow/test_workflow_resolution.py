"""based_on: a workflow inherits its base's tasks and overrides what it names."""

import textwrap

from services.workflow.domain import ActionDefinition, validate

BASE = "workflows/standard.yaml"


def resolve(standard_text: str, **derived: str):
    files = {BASE: standard_text} | {f"{name}.yaml": textwrap.dedent(text) for name, text in derived.items()}
    workflows, problems = validate(files)
    assert problems == [], "\n".join(map(str, problems))
    return workflows


def test_a_derived_workflow_inherits_everything_it_does_not_override(standard_text, standard):
    derived = resolve(standard_text, copy="name: Kopie\nbased_on: standard\n")["Kopie"]

    assert (derived.start_task, derived.task_manager, derived.tasks) == (
        standard.start_task,
        standard.task_manager,
        standard.tasks,
    )


def test_task_manager_assignees_and_deadlines_are_overridden(standard_text, standard):
    derived = resolve(
        standard_text,
        bd="""
        name: Eigen
        based_on: standard
        task_manager: fiscalist
        assignees:
          Beoordelen reactie van klant: [medewerker, "@fiscaal"]
        deadlines:
          Beoordelen aangifte klant: 48
    """,
    )["Eigen"]

    assert derived.task_manager == "fiscalist"
    assert derived.task("Beoordelen reactie van klant").assignees == ("medewerker", "@fiscaal")
    assert derived.task("Beoordelen aangifte klant").deadline_hours == 48
    assert derived.task("Beoordelen aangifte klant").assignees == standard.task("Beoordelen aangifte klant").assignees
    assert derived.task("Beoordelen reactie van klant").actions == standard.task("Beoordelen reactie van klant").actions


def test_an_explicit_null_removes_the_inherited_task_manager(standard_text):
    derived = resolve(
        standard_text,
        none="name: Zonder beheerder\nbased_on: standard\ntask_manager: null\n"
        "assignees:\n  Beoordelen aangifte klant: [klant]\n",
    )

    assert derived["Zonder beheerder"].task_manager is None


def test_a_client_task_without_a_task_manager_to_fall_back_to_is_not_published(standard_text):
    files = {BASE: standard_text, "none.yaml": "name: Zonder beheerder\nbased_on: standard\ntask_manager: null\n"}
    _, problems = validate(files)

    assert [(p.file, p.workflow, p.message) for p in problems] == [
        (
            "none.yaml",
            "Zonder beheerder",
            "a task is assigned to '@destination', so the workflow needs a task_manager: a client without a portal user"
            " hands the task to the task manager",
        )
    ]


def test_tasks_replace_inherited_ones_in_place_and_new_ones_are_added(standard_text):
    derived = resolve(
        standard_text,
        partner="""
        name: Met partner
        based_on: standard
        tasks:
          - name: Beoordelen reactie van klant
            assignees: ["@kantoor"]
            actions:
              - {name: Voorleggen aan partner, leads_to: Beoordelen door partner}
              - {name: Afkeuren bericht, leads_to: rejected}
          - name: Beoordelen door partner
            assignees: [partner]
            deadline_hours: 24
            actions:
              - {name: Opnieuw voorleggen aan klant, leads_to: Beoordelen aangifte klant}
              - {name: Afkeuren bericht, leads_to: rejected}
    """,
    )["Met partner"]

    assert derived.task_names == (
        "Beoordelen aangifte klant",
        "Beoordelen reactie van klant",
        "Beoordelen door partner",
    )
    assert derived.task("Beoordelen reactie van klant").actions[0] == ActionDefinition(
        "Voorleggen aan partner", "Beoordelen door partner"
    )
    assert derived.task("Beoordelen door partner").deadline_hours == 24


def test_bases_chain_and_the_nearest_override_wins(standard_text):
    workflows = resolve(
        standard_text,
        middle="name: Midden\nbased_on: standard\ntask_manager: midden\ndeadlines: {Beoordelen aangifte klant: 10}\n",
        leaf="name: Blad\nbased_on: Midden\ndeadlines: {Beoordelen aangifte klant: 5}\n",
    )

    assert workflows["Blad"].task_manager == "midden"
    assert workflows["Blad"].task("Beoordelen aangifte klant").deadline_hours == 5
    assert workflows["Midden"].task("Beoordelen aangifte klant").deadline_hours == 10


def test_a_start_task_override_is_applied(standard_text):
    derived = resolve(
        standard_text, start="name: Kantoor eerst\nbased_on: standard\nstart_task: Beoordelen reactie van klant\n"
    )

    assert derived["Kantoor eerst"].start_task == "Beoordelen reactie van klant"


def test_the_shipped_authority_workflows_differ_from_the_standard(shipped, standard):
    bd, kvk = shipped.workflows["Belastingdienst"], shipped.workflows["KvK"]

    assert {bd.task_manager, kvk.task_manager, standard.task_manager} == {
        "fiscalist",
        "jaarrekening-beheerder",
        "taakmanager",
    }
    assert bd.task("Beoordelen reactie van klant").assignees == ("@fiscaal",)
    assert kvk.task("Beoordelen reactie van klant").assignees == ("@jaarrekening",)
    assert bd.task_names == kvk.task_names == standard.task_names
