"""Deadlines per task and escalation of an overdue task to the task manager."""

from datetime import UTC, datetime, timedelta

from services.workflow.domain import ActionRequest, Transition, deadline, decide, escalate, overdue, start

CLIENT_TASK = "Beoordelen aangifte klant"
STARTED = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def test_a_task_is_overdue_once_its_deadline_has_passed(shipped):
    bd = shipped.workflows["Belastingdienst"]
    state = start(bd, 1)

    assert deadline(bd, CLIENT_TASK) == timedelta(hours=72)
    assert not overdue(bd, state, STARTED, STARTED + timedelta(hours=71, minutes=59))
    assert overdue(bd, state, STARTED, STARTED + timedelta(hours=72))


def test_a_task_without_a_deadline_or_an_ended_workflow_is_never_overdue(shipped, standard, directory):
    bd = shipped.workflows["Belastingdienst"]
    approved = decide(bd, start(bd, 1), ActionRequest("a", CLIENT_TASK, "Goedkeuren bericht", "klant"), directory)
    assert isinstance(approved, Transition)

    assert not overdue(standard, start(standard, 1), STARTED, STARTED + timedelta(days=365))
    assert not overdue(bd, approved.state, STARTED, STARTED + timedelta(days=365))


def test_escalation_adds_the_task_manager_to_the_assignees_and_says_so(shipped, directory):
    bd = shipped.workflows["Belastingdienst"]
    state = start(bd, 1)

    escalation = escalate(bd, state, STARTED, STARTED + timedelta(hours=73))

    assert escalation is not None
    assert (escalation.task, escalation.task_manager, escalation.assignees) == (
        CLIENT_TASK,
        "fiscalist",
        ("@destination", "fiscalist"),
    )
    assert escalation.state.override_for(CLIENT_TASK) == ("@destination", "fiscalist")
    assert (escalation.state.step, escalation.state.status_code) == (1, state.status_code)
    assert (
        escalation.message
        == "task 'Beoordelen aangifte klant' is overdue (deadline 72 hours); escalated to task manager 'fiscalist'"
    )
    assert isinstance(
        decide(bd, escalation.state, ActionRequest("b", CLIENT_TASK, "Goedkeuren bericht", "klant"), directory),
        Transition,
    )


def test_escalation_happens_once_and_not_before_the_deadline_or_without_a_task_manager(shipped):
    bd = shipped.workflows["Belastingdienst"]
    late = STARTED + timedelta(hours=100)
    escalated = escalate(bd, start(bd, 1), STARTED, late)

    assert escalate(bd, escalated.state, STARTED, late) is None
    assert escalate(bd, start(bd, 1), STARTED, STARTED + timedelta(hours=1)) is None
    unmanaged = bd.__class__(name=bd.name, start_task=bd.start_task, tasks=bd.tasks, task_manager=None)
    assert escalate(unmanaged, start(unmanaged, 1), STARTED, late) is None
