"""The state machine on the shipped standard workflow: every rule, refusal and intervention."""

from dataclasses import replace

import pytest

from services.workflow.domain import (
    REASSIGN_ACTION,
    RESTORE_ACTION,
    ActionRefusal,
    ActionRequest,
    InstanceState,
    Outcome,
    RefusalCode,
    Transition,
    decide,
    start,
)
from shared.contracts.status import StatusCode

CLIENT_TASK = "Beoordelen aangifte klant"
OFFICE_TASK = "Beoordelen reactie van klant"


def request(action: str, actor: str = "klant", task: str = CLIENT_TASK, **fields) -> ActionRequest:
    return ActionRequest(
        action_id=fields.pop("action_id", f"{actor}:{action}"), task=task, action=action, actor=actor, **fields
    )


@pytest.fixture
def running(standard) -> InstanceState:
    return start(standard, version=3)


def accepted(result) -> Transition:
    assert isinstance(result, Transition), result
    return result


def refused(result, code: RefusalCode) -> ActionRefusal:
    assert isinstance(result, ActionRefusal), result
    assert result.reason_code == code, result
    return result


def test_an_instance_starts_at_the_start_task_in_workflow(standard, running):
    assert running == InstanceState(workflow="standard", version=3, current_task=CLIENT_TASK)
    assert running.status_code == StatusCode.IN_WORKFLOW


def test_approving_ends_the_workflow_prepared_for_sending(standard, running, directory):
    t = accepted(decide(standard, running, request("Goedkeuren bericht", comment="akkoord"), directory))

    assert (t.from_task, t.to_task, t.outcome, t.status_code) == (
        CLIENT_TASK,
        None,
        Outcome.APPROVED,
        StatusCode.PREPARED_FOR_SENDING,
    )
    assert (t.actor, t.action, t.comment, t.action_id) == (
        "klant",
        "Goedkeuren bericht",
        "akkoord",
        "klant:Goedkeuren bericht",
    )
    assert t.state == replace(running, current_task=None, outcome=Outcome.APPROVED, step=1)


def test_rejecting_ends_the_workflow_rejected_and_remembers_the_task(standard, running, directory):
    t = accepted(decide(standard, running, request("Afkeuren bericht"), directory))

    assert (t.to_task, t.outcome, t.status_code) == (None, Outcome.REJECTED, StatusCode.REJECTED)
    assert t.state.rejected_from_task == CLIENT_TASK


def test_an_action_leading_to_a_task_moves_there_and_stays_in_workflow(standard, running, directory):
    reacted = accepted(decide(standard, running, request("Reageren", comment="Waarom is dit bedrag hoger?"), directory))
    again = accepted(
        decide(standard, reacted.state, request("Opnieuw voorleggen aan klant", "medewerker", OFFICE_TASK), directory)
    )

    assert (reacted.from_task, reacted.to_task, reacted.status_code) == (
        CLIENT_TASK,
        OFFICE_TASK,
        StatusCode.IN_WORKFLOW,
    )
    assert (again.to_task, again.state.step) == (CLIENT_TASK, 2)


def test_an_action_on_a_task_that_is_not_current_is_stale(standard, running, directory):
    refusal = refused(
        decide(standard, running, request("Afkeuren bericht", "medewerker", OFFICE_TASK), directory),
        RefusalCode.STALE_TASK,
    )

    assert OFFICE_TASK in refusal.message and CLIENT_TASK in refusal.message


def test_someone_not_assigned_may_not_act(standard, running, directory):
    refused(decide(standard, running, request("Goedkeuren bericht", "medewerker"), directory), RefusalCode.NOT_ALLOWED)
    refused(decide(standard, running, request("Goedkeuren bericht", "onbekende"), directory), RefusalCode.NOT_ALLOWED)


def test_a_group_member_may_act_and_the_task_manager_may_act_on_any_task(standard, running, directory):
    accepted(decide(standard, running, request("Goedkeuren bericht", "klant"), directory))
    accepted(decide(standard, running, request("Goedkeuren bericht", "taakmanager"), directory))


def test_an_action_the_task_does_not_have_is_unknown(standard, running, directory):
    refusal = refused(
        decide(standard, running, request("Opnieuw voorleggen aan klant"), directory), RefusalCode.UNKNOWN_ACTION
    )

    assert "Opnieuw voorleggen aan klant" in refusal.message


def test_nothing_moves_once_the_workflow_has_ended(standard, running, directory):
    approved = accepted(decide(standard, running, request("Goedkeuren bericht"), directory)).state

    refused(decide(standard, approved, request("Afkeuren bericht"), directory), RefusalCode.NOT_RUNNING)
    refused(
        decide(standard, approved, request(REASSIGN_ACTION, "taakmanager", assignees=("x",)), directory),
        RefusalCode.NOT_RUNNING,
    )


def test_the_checks_run_in_order_running_then_task_then_actor_then_action(standard, running, directory):
    outsider_on_stale_task = request("Bestaat niet", "onbekende", OFFICE_TASK)
    outsider_on_current_task = request("Bestaat niet", "onbekende")

    refused(decide(standard, running, outsider_on_stale_task, directory), RefusalCode.STALE_TASK)
    refused(decide(standard, running, outsider_on_current_task, directory), RefusalCode.NOT_ALLOWED)


def test_of_two_decisions_on_the_same_state_the_second_is_stale_once_the_first_is_stored(standard, running, directory):
    approve = request("Goedkeuren bericht", "klant", action_id="a-1")
    react = request("Reageren", "klant", action_id="a-2")

    first = accepted(decide(standard, running, approve, directory))
    assert isinstance(decide(standard, running, react, directory), Transition)  # both looked fine on the old state
    second = decide(standard, first.state, react, directory)

    refused(second, RefusalCode.NOT_RUNNING)
    moved = accepted(decide(standard, running, react, directory))
    refused(decide(standard, moved.state, approve, directory), RefusalCode.STALE_TASK)
    assert first.state.step == moved.state.step == running.step + 1  # a repository keeps only one of them


def test_the_task_manager_restores_a_rejected_message_into_the_task_it_was_rejected_from(standard, running, directory):
    reacted = accepted(decide(standard, running, request("Reageren"), directory)).state
    rejected = accepted(
        decide(standard, reacted, request("Afkeuren bericht", "medewerker", OFFICE_TASK), directory)
    ).state

    t = accepted(
        decide(standard, rejected, request(RESTORE_ACTION, "taakmanager", OFFICE_TASK, comment="toch niet"), directory)
    )

    assert (t.from_task, t.to_task, t.outcome, t.status_code) == (None, OFFICE_TASK, None, StatusCode.IN_WORKFLOW)
    assert t.state == replace(rejected, current_task=OFFICE_TASK, outcome=None, rejected_from_task=None, step=3)
    accepted(decide(standard, t.state, request("Opnieuw voorleggen aan klant", "medewerker", OFFICE_TASK), directory))


def test_only_the_task_manager_restores_and_only_a_rejected_message(standard, running, directory):
    rejected = accepted(decide(standard, running, request("Afkeuren bericht"), directory)).state
    approved = accepted(decide(standard, running, request("Goedkeuren bericht"), directory)).state

    refused(decide(standard, rejected, request(RESTORE_ACTION, "klant"), directory), RefusalCode.NOT_ALLOWED)
    refused(decide(standard, running, request(RESTORE_ACTION, "taakmanager"), directory), RefusalCode.NOT_REJECTED)
    refused(decide(standard, approved, request(RESTORE_ACTION, "taakmanager"), directory), RefusalCode.NOT_REJECTED)
    refused(
        decide(standard, rejected, request(RESTORE_ACTION, "taakmanager", OFFICE_TASK), directory),
        RefusalCode.STALE_TASK,
    )


def test_a_second_restore_of_the_same_rejection_is_refused(standard, running, directory):
    rejected = accepted(decide(standard, running, request("Afkeuren bericht"), directory)).state
    restored = accepted(decide(standard, rejected, request(RESTORE_ACTION, "taakmanager"), directory)).state

    refused(decide(standard, restored, request(RESTORE_ACTION, "taakmanager"), directory), RefusalCode.NOT_REJECTED)


def test_the_task_manager_reassigns_the_current_task(standard, running, directory):
    t = accepted(
        decide(standard, running, request(REASSIGN_ACTION, "taakmanager", assignees=("klant-b", "@kantoor")), directory)
    )

    assert (t.from_task, t.to_task, t.status_code, t.assignees) == (
        CLIENT_TASK,
        CLIENT_TASK,
        StatusCode.IN_WORKFLOW,
        ("klant-b", "@kantoor"),
    )
    assert t.state.override_for(CLIENT_TASK) == ("klant-b", "@kantoor")
    refused(decide(standard, t.state, request("Goedkeuren bericht", "klant"), directory), RefusalCode.NOT_ALLOWED)
    accepted(decide(standard, t.state, request("Goedkeuren bericht", "klant-b"), directory))
    accepted(decide(standard, t.state, request("Goedkeuren bericht", "medewerker"), directory))


def test_a_reassignment_holds_when_the_task_comes_round_again(standard, running, directory):
    state = accepted(
        decide(standard, running, request(REASSIGN_ACTION, "taakmanager", assignees=("klant-b",)), directory)
    ).state
    state = accepted(decide(standard, state, request("Reageren", "klant-b"), directory)).state
    state = accepted(
        decide(standard, state, request("Opnieuw voorleggen aan klant", "medewerker", OFFICE_TASK), directory)
    ).state

    accepted(decide(standard, state, request("Goedkeuren bericht", "klant-b"), directory))


def test_a_reassignment_needs_the_task_manager_assignees_and_known_groups(standard, running, directory):
    refused(
        decide(standard, running, request(REASSIGN_ACTION, "klant", assignees=("klant-b",)), directory),
        RefusalCode.NOT_ALLOWED,
    )
    refused(
        decide(standard, running, request(REASSIGN_ACTION, "taakmanager", assignees=(" ", "@")), directory),
        RefusalCode.NO_ASSIGNEES,
    )
    refused(
        decide(standard, running, request(REASSIGN_ACTION, "taakmanager", assignees=("@partners",)), directory),
        RefusalCode.UNKNOWN_GROUP,
    )
    refused(
        decide(standard, running, request(REASSIGN_ACTION, "taakmanager", OFFICE_TASK, assignees=("x",)), directory),
        RefusalCode.STALE_TASK,
    )


def test_without_a_task_manager_nobody_may_intervene(standard, running, directory):
    unmanaged = replace(standard, task_manager=None)
    rejected = accepted(decide(unmanaged, running, request("Afkeuren bericht"), directory)).state

    refused(
        decide(unmanaged, running, request("Goedkeuren bericht", "taakmanager"), directory), RefusalCode.NOT_ALLOWED
    )
    refused(decide(unmanaged, rejected, request(RESTORE_ACTION, "taakmanager"), directory), RefusalCode.NOT_ALLOWED)


def test_a_state_of_another_workflow_is_a_programming_error(shipped, running, directory):
    with pytest.raises(ValueError):
        decide(shipped.workflows["KvK"], running, request("Goedkeuren bericht"), directory)


def test_a_state_survives_its_stored_document(standard, running, directory):
    state = accepted(
        decide(standard, running, request(REASSIGN_ACTION, "taakmanager", assignees=("klant-b",)), directory)
    ).state
    rejected = accepted(decide(standard, state, request("Afkeuren bericht", "klant-b"), directory)).state

    assert InstanceState.from_document(rejected.as_document()) == rejected
