"""The golden examples of every topic's records round-trip through their contract models unchanged."""

import json
from datetime import UTC, datetime

import pytest

from shared.contracts.actions import WorkflowAction
from shared.contracts.approved import MessageApproved
from shared.contracts.directory import Party
from shared.contracts.inbound import EXAMPLES_DIR
from shared.contracts.items import DossierItemCreated
from shared.contracts.refusals import SubmissionRefused
from shared.contracts.status import StatusCode, StatusEvent
from shared.contracts.summary import DeclarationSummary
from shared.contracts.tasks import TaskEvent, TaskEventKind

EXAMPLES = {
    "status_registered": StatusEvent,
    "status_refused": StatusEvent,
    "status_accepted": StatusEvent,
    "dossier_item": DossierItemCreated,
    "workflow_action": WorkflowAction,
    "workflow_action_on_behalf": WorkflowAction,
    "message_approved": MessageApproved,
    "task_created": TaskEvent,
    "task_completed": TaskEvent,
    "directory_party": Party,
    "summary_btw_aangifte": DeclarationSummary,
    "submission_refused": SubmissionRefused,
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_golden_example_round_trips(name):
    document = json.loads((EXAMPLES_DIR / f"{name}.json").read_text())
    model = EXAMPLES[name].model_validate(document)
    assert json.loads(model.model_dump_json()) == document


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_unknown_fields_are_refused(name):
    document = json.loads((EXAMPLES_DIR / f"{name}.json").read_text()) | {"unexpected": 1}
    with pytest.raises(ValueError, match="unexpected"):
        EXAMPLES[name].model_validate(document)


def test_status_event_ids_differ_for_different_events_at_the_same_moment():
    document = json.loads((EXAMPLES_DIR / "status_registered.json").read_text())
    event = StatusEvent.model_validate(document)
    fields = {
        "message_id": event.message_id,
        "source": event.source,
        "dossier_item_id": None,
        "occurred_at": event.occurred_at,
    }
    first = StatusEvent.of(event.status_code, detail="one", **fields)
    assert first.event_id == StatusEvent.of(event.status_code, detail="one", **fields).event_id
    assert first.event_id != StatusEvent.of(event.status_code, detail="two", **fields).event_id


def test_a_status_event_with_a_cause_keeps_its_id_whenever_it_is_told():
    fields = {"message_id": "m1", "source": "nmbrs", "dossier_item_id": "i1", "detail": "approved"}
    first = StatusEvent.of(StatusCode.PREPARED_FOR_SENDING, occurred_at=datetime(2026, 1, 5, tzinfo=UTC), **fields)
    later = datetime(2026, 1, 6, tzinfo=UTC)
    assert StatusEvent.of(StatusCode.PREPARED_FOR_SENDING, occurred_at=later, **fields).event_id != first.event_id

    caused = StatusEvent.of(StatusCode.PREPARED_FOR_SENDING, occurred_at=first.occurred_at, cause="action a1", **fields)
    again = StatusEvent.of(StatusCode.PREPARED_FOR_SENDING, occurred_at=later, cause="action a1", **fields)
    assert again.event_id == caused.event_id and again.occurred_at == later
    other = StatusEvent.of(StatusCode.PREPARED_FOR_SENDING, occurred_at=later, cause="action a2", **fields)
    assert other.event_id != caused.event_id
    assert (
        StatusEvent.of(StatusCode.REJECTED, occurred_at=later, cause="action a1", **fields).event_id != caused.event_id
    )


def test_a_task_event_with_a_cause_keeps_its_id_whenever_it_is_told():
    def opened(at: datetime, cause: str | None) -> TaskEvent:
        return TaskEvent.of(
            TaskEventKind.CREATED,
            dossier_item_id="i1",
            task="Klant",
            occurred_at=at,
            cause=cause,
            message_id="m1",
            source="nmbrs",
            message_type="btw-aangifte",
            organisation_person_id="p1",
            workflow="standaard",
            subject="Aangifte",
        )

    first, later = datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 1, 6, tzinfo=UTC)
    assert opened(first, None).event_id != opened(later, None).event_id
    assert opened(first, "arrival").event_id == opened(later, "arrival").event_id
    assert opened(first, "arrival").event_id != opened(first, "action a1").event_id


def test_a_refusal_event_id_follows_the_record_it_refuses():
    document = json.loads((EXAMPLES_DIR / "submission_refused.json").read_text())
    fields = {k: v for k, v in document.items() if k not in ("event_id", "original_offset")}
    again = SubmissionRefused.of(original_offset=document["original_offset"], **fields)
    assert again.event_id == document["event_id"]
    assert SubmissionRefused.of(original_offset=document["original_offset"] + 1, **fields).event_id != again.event_id


def test_a_persons_own_action_is_written_without_operator_so_the_older_contract_still_reads_it():
    document = json.loads((EXAMPLES_DIR / "workflow_action.json").read_text())
    assert "operator" not in json.loads(WorkflowAction.model_validate(document).model_dump_json())
    on_behalf = WorkflowAction.model_validate(document | {"operator": "m.devries"})
    assert json.loads(on_behalf.model_dump_json())["operator"] == "m.devries"
