"""A record written by a later version is read by an earlier one during a rolling upgrade: an event's fields the
reader does not know are ignored, at every level; a command's are refused; what is made or written by a person
stays strict (shared/contracts/record.py)."""

import json

import pytest
from pydantic import ValidationError

from shared.contracts.actions import WorkflowAction
from shared.contracts.approved import MessageApproved
from shared.contracts.directory import Party
from shared.contracts.inbound import EXAMPLES_DIR
from shared.contracts.items import DossierItemCreated
from shared.contracts.refusals import SubmissionRefused
from shared.contracts.status import StatusEvent
from shared.contracts.tasks import TaskEvent
from shared.db.outbox import OutboxRecord
from shared.dead_letters import read_as
from tests.support.records import consumer_record

EVENTS = {
    "status_accepted": StatusEvent,
    "dossier_item": DossierItemCreated,
    "message_approved": MessageApproved,
    "task_created": TaskEvent,
    "directory_party": Party,
    "submission_refused": SubmissionRefused,
}


def _golden(name: str) -> dict:
    return json.loads((EXAMPLES_DIR / f"{name}.json").read_text())


NESTED = {"dossier_item": ("identity", "document"), "directory_party": ("contacts",)}
"""The objects inside an event that are models of their own (not maps of names to values, whose keys are free)."""


def _later(value):
    return {**value, "added_in_a_later_version": {"any": "value"}}


def _with_later_fields(name: str, document: dict) -> dict:
    """The document as a later version might write it: a new field on it and on the models inside it."""
    later = _later(document)
    for field in NESTED.get(name, ()):
        inner = document[field]
        later[field] = [_later(v) for v in inner] if isinstance(inner, list) else _later(inner)
    return later


@pytest.mark.parametrize("name", sorted(EVENTS))
def test_an_event_with_fields_of_a_later_version_is_read_as_this_version_knows_it(name):
    model, golden = EVENTS[name], _golden(name)
    record = consumer_record("some.topic", "key", json.dumps(_with_later_fields(name, golden)).encode())

    read = read_as(model, record, refused_by="test")

    assert not isinstance(read, OutboxRecord), read
    assert read == model.model_validate(golden)
    with pytest.raises(ValidationError, match="added_in_a_later_version"):
        model.model_validate(_with_later_fields(name, golden))  # made or written by a person: still strict


def test_a_command_with_an_unknown_field_is_refused_not_carried_out_without_it():
    record = consumer_record(
        "workflow.actions.from.portal", "k", json.dumps(_golden("workflow_action") | {"x": 1}).encode()
    )

    refused = read_as(WorkflowAction, record, refused_by="workflow", command=True)

    assert isinstance(refused, OutboxRecord)
    assert "x: Extra inputs are not permitted" in dict(refused.headers)["accordeer-reason"]


def test_a_field_this_version_needs_is_still_required_when_reading_back():
    golden = _golden("message_approved")
    del golden["dossier_item_id"]
    record = consumer_record("approved", "k", json.dumps(golden).encode())
    assert isinstance(read_as(MessageApproved, record, refused_by="dispatch"), OutboxRecord)
