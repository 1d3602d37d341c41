"""Which lane of the outbox a record goes to: one declaration's records together, keys spread over the lanes."""

from collections import Counter
from datetime import UTC, datetime

from shared.contracts.status import StatusCode, StatusEvent
from shared.db.outbox import LANES, OutboxRecord, lane_of


def test_a_declarations_records_share_its_lane_whatever_their_kafka_keys():
    event = StatusEvent.of(
        StatusCode.PROCESSING,
        message_id="msg-1",
        source="afas-fin",
        dossier_item_id="item-9",
        occurred_at=datetime(2026, 11, 29, tzinfo=UTC),
    )
    status = OutboxRecord.of("messages.status", "msg-1", event)
    item = OutboxRecord.of("dossier.items", "item-9", event, lane_key="msg-1")
    assert status.lane == item.lane == lane_of("msg-1")
    assert OutboxRecord.of("dossier.items", "item-9", event).lane == lane_of("item-9")


def test_keys_spread_over_every_lane_and_a_record_without_a_key_goes_to_lane_zero():
    counts = Counter(lane_of(f"message-{n}") for n in range(8000))
    assert sorted(counts) == list(range(LANES))
    assert max(counts.values()) < 1.2 * min(counts.values())
    assert OutboxRecord("t", None, b"v").lane == 0
