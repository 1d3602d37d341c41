"""Kafka records built by hand, for tests that call a use case directly (no broker in between)."""

import itertools
import uuid
from datetime import UTC, datetime

from aiokafka import ConsumerRecord

from shared.contracts.items import DossierItemCreated
from shared.topics import Topics
from tests.support.declarations import example

_offsets = itertools.count()


def consumer_record(topic: str, key: str, value: bytes, *, partition: int = 0) -> ConsumerRecord:
    """A record at a fresh offset, so the inbox treats it as new."""
    return ConsumerRecord(topic, partition, next(_offsets), 0, 0, key.encode(), value, None, len(key), len(value), [])


def dossier_item_record(topics: Topics, message_type: str = "btw-aangifte") -> tuple[str, ConsumerRecord]:
    """A new dossier item as intake publishes it, for a random item id; returns the id and the record."""
    golden = example("btw_aangifte")
    item_id = str(uuid.uuid4())
    item = DossierItemCreated(
        dossier_item_id=item_id,
        message_id=f"m-{item_id}",
        source="afas-fin",
        message_type=message_type,
        submitter="m.devries",
        submitted_at=datetime.now(UTC),
        subject=golden["subject"],
        organisation_person_id="ORG-10045",
        identity=golden["identity"],
        document=golden["document"],
    )
    return item_id, consumer_record(topics.dossier_items, item_id, item.model_dump_json().encode())
