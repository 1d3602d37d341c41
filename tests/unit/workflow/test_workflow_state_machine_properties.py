"""Properties of the state machine under arbitrary sequences of requests, valid or not."""

from hypothesis import given, settings
from hypothesis import strategies as st

from services.workflow.domain import REASSIGN_ACTION, RESTORE_ACTION, ActionRequest, Transition, decide, may_act, start
from shared.contracts.status import StatusCode

ACTORS = ["klant", "medewerker", "taakmanager", "klant-b", "onbekende"]
TASKS = ["Beoordelen aangifte klant", "Beoordelen reactie van klant", "Bestaat niet"]
ACTIONS = [
    "Goedkeuren bericht",
    "Afkeuren bericht",
    "Reageren",
    "Opnieuw voorleggen aan klant",
    RESTORE_ACTION,
    REASSIGN_ACTION,
    "Onzin",
]

requests = st.builds(
    ActionRequest,
    action_id=st.just("id"),
    task=st.sampled_from(TASKS),
    action=st.sampled_from(ACTIONS),
    actor=st.sampled_from(ACTORS),
    assignees=st.lists(st.sampled_from(["klant-b", "@kantoor", "@klanten"]), max_size=2).map(tuple),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(requests, max_size=12))
def test_every_accepted_transition_keeps_the_state_consistent(standard, directory, sequence):
    state = start(standard, 1)
    for request in sequence:
        result = decide(standard, state, request, directory)
        if not isinstance(result, Transition):
            continue
        if request.action != RESTORE_ACTION:
            assert request.task == state.current_task
            assert may_act(standard, state, request.task, request.actor, directory)
        new = result.state
        assert new.step == state.step + 1
        assert (new.current_task is None) == (new.outcome is not None)
        assert new.current_task is None or standard.task(new.current_task) is not None
        assert result.status_code == new.status_code
        assert (new.rejected_from_task is not None) == (new.status_code == StatusCode.REJECTED)
        state = new
