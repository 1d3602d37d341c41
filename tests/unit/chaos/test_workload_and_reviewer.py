"""The chaos run's declarations and reviewer: deterministic from the seed, and consistent with each other."""

import base64
import json
from datetime import UTC, datetime

from lxml import etree

from accordeer.chaos.checker import ACCEPTED, DECLINED, REJECTED
from accordeer.chaos.reviewer import CLIENT_TASK, OFFICE_TASK, Reviewer
from accordeer.chaos.workload import REACT, REJECT, build, decision, with_trail
from shared.contracts.inbound import InboundDeclaration
from shared.contracts.tasks import TaskEvent, TaskEventKind


def test_the_same_seed_gives_the_same_run_and_every_kind_appears():
    first, expected = build(2000, seed=3, run_id="r")
    again, _ = build(2000, seed=3, run_id="r")
    assert [s.value for s in first] == [s.value for s in again]
    kinds = {s.kind for s in first}
    assert kinds == {"valid", "bad_json", "schema", "unknown_destination", "unauthorised", "reuse"}
    outcomes = {e.outcome for e in expected.values() if e.registered}
    assert outcomes == {ACCEPTED, DECLINED, REJECTED}
    assert any(e.items == 2 for e in expected.values())


def test_valid_submissions_follow_the_contract_and_invalid_ones_do_not():
    submissions, expected = build(500, seed=5, run_id="r")
    for submission in submissions:
        if submission.kind in ("valid", "reuse", "unknown_destination", "unauthorised"):
            InboundDeclaration.model_validate_json(submission.value)
        if submission.kind == "valid":
            assert expected[submission.message_id].registered
        elif submission.kind != "reuse":
            assert not expected[submission.message_id].registered
            assert expected[submission.message_id].dead_letters == 1


def test_a_reused_id_expects_its_refusal_elsewhere_and_its_first_outcome_unchanged():
    submissions, expected = build(2000, seed=3, run_id="r")
    reused = [s for s in submissions if s.kind == "reuse"]
    assert reused
    for submission in reused:
        expectation = expected[submission.message_id]
        assert expectation.registered and expectation.refusals_elsewhere >= 1 and expectation.dead_letters >= 1
        first = next(s for s in submissions if s.message_id == submission.message_id)
        assert first.kind == "valid" and submissions.index(first) < submissions.index(submission)


def test_the_trail_marker_keeps_the_document_well_formed():
    document = json.loads(build(1, seed=1, run_id="r")[0][0].value)["document"]
    marked = base64.b64decode(with_trail(document, "510")["content_base64"])
    assert b"MOCK-TRAIL:510" in marked
    etree.fromstring(marked)


def _task(task: str, message_id: str, event_id: str = "t1", item: str = "item-1") -> TaskEvent:
    return TaskEvent(
        event_id=event_id,
        kind=TaskEventKind.CREATED,
        dossier_item_id=item,
        message_id=message_id,
        source="s",
        message_type="btw-aangifte",
        organisation_person_id="ORG-1",
        workflow="w",
        task=task,
        assignees=["sanne.vandijk"],
        subject="x",
        occurred_at=datetime.now(UTC),
    )


def _message_with(choice: str) -> str:
    return next(f"m{n}" for n in range(1000) if decision(f"m{n}") == choice)


def test_the_reviewer_acts_once_per_task_event_as_an_assignee():
    reviewer = Reviewer()
    action = reviewer.decide(_task(CLIENT_TASK, "m-approve"))
    assert action.actor == "sanne.vandijk" and action.task == CLIENT_TASK
    assert reviewer.decide(_task(CLIENT_TASK, "m-approve")) is None  # the same event read again


def test_the_reviewer_rejects_or_reacts_as_decided_and_approves_after_a_reaction():
    reviewer = Reviewer()
    assert reviewer.decide(_task(CLIENT_TASK, _message_with(REJECT))).action == "Afkeuren bericht"
    react = _message_with(REACT)
    assert reviewer.decide(_task(CLIENT_TASK, react, "t2", "i2")).action == "Reageren"
    assert reviewer.decide(_task(OFFICE_TASK, react, "t3", "i2")).action == "Opnieuw voorleggen aan klant"
    assert reviewer.decide(_task(CLIENT_TASK, react, "t4", "i2")).action == "Goedkeuren bericht"
