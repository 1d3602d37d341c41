"""`accordeer act` and item ids without any infrastructure: malformed ids, and telling which refusal is ours."""

import json
from datetime import UTC, datetime

import pytest
from aiokafka import ConsumerRecord

from accordeer.acting import refusal_reason
from accordeer.items import UnknownItem, resolve_item
from shared import dead_letters as h
from shared.contracts.actions import WorkflowAction
from shared.contracts.status import StatusCode, StatusEvent

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ACTION = WorkflowAction(
    action_id="a-1",
    dossier_item_id="5c65c341-0000-4000-8000-000000000001",
    task="Beoordelen aangifte klant",
    action="Goedkeuren bericht",
    actor="sanne",
)


class NoDatabase:
    async def fetch(self, *args):
        raise AssertionError("a malformed id must not reach the database")


@pytest.mark.parametrize("text", ["does-not-exist", "", "5c65%", "5c_5", "5c65c341 x"])
async def test_a_malformed_item_id_is_a_sentence_before_any_query(text):
    with pytest.raises(UnknownItem, match="is not a dossier item id"):
        await resolve_item(NoDatabase(), text)


def _status(**fields) -> StatusEvent:
    return StatusEvent.of(
        StatusCode.IN_WORKFLOW,
        message_id="m",
        source="s",
        occurred_at=NOW,
        dossier_item_id=ACTION.dossier_item_id,
        **fields,
    )


def test_a_refusal_on_messages_status_is_matched_by_item_and_action():
    detail = "action 'Goedkeuren bericht' on task 'Beoordelen aangifte klant' by sanne refused: not an assignee"
    assert refusal_reason(_status(detail=detail, reason_code="not_allowed"), ACTION) == f"not_allowed: {detail}"
    assert refusal_reason(_status(detail="moved on"), ACTION) is None
    assert refusal_reason(_status(detail=detail.replace("sanne", "piet"), reason_code="not_allowed"), ACTION) is None


def _dead_letter(value: bytes) -> ConsumerRecord:
    headers = [(h.REASON_CODE, b"not_running"), (h.REASON, b"the workflow has ended")]
    return ConsumerRecord("workflow.actions.dlq", 0, 7, 0, 0, None, value, None, len(value), -1, headers)


def test_a_refusal_on_the_dead_letter_topic_is_matched_by_action_id():
    assert refusal_reason(_dead_letter(ACTION.model_dump_json().encode()), ACTION) == (
        "not_running: the workflow has ended"
    )
    other = json.loads(ACTION.model_dump_json()) | {"action_id": "a-2"}
    assert refusal_reason(_dead_letter(json.dumps(other).encode()), ACTION) is None
    assert refusal_reason(_dead_letter(b"hello"), ACTION) is None
