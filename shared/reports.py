"""Status events and refusals as outbox records, on the product's own topic and on their source's.

A source's principal may read only its own topics (``messages.status.<source>``, ``declarations.refused.<source>``),
so every event of a source's message is written twice in the same transaction: once for the product's services and
operators, once for the source. Both copies are keyed by message id and share its outbox lane, so a source reads
its events in the order they happened.
"""

from aiokafka import ConsumerRecord
from pydantic import BaseModel

from shared.contracts.refusals import SubmissionRefused
from shared.contracts.status import StatusEvent
from shared.db.outbox import OutboxRecord
from shared.topics import Topics


def status_records(topics: Topics, event: StatusEvent, *, registered: bool = True) -> list[OutboxRecord]:
    """``registered``: whether the event's source is a registered one, with a topic of its own (always, past
    intake: a message of an unregistered source is refused and never gets further)."""
    return _twice(topics.status, topics.status_of(event.source) if registered else None, event.message_id, event)


def cause_of(record: ConsumerRecord) -> str:
    """The cause of the events a record makes (``StatusEvent.of``): its coordinates, the same when it is read again."""
    return f"record {record.topic}[{record.partition}]@{record.offset}"


def refusal_records(topics: Topics, refusal: SubmissionRefused, *, sender: str | None) -> list[OutboxRecord]:
    """``sender``: the registered source that sent it (whose topic it came from, or whom the body names), if any;
    an unregistered one has no topic of its own to read."""
    return _twice(topics.refused, topics.refused_of(sender) if sender else None, refusal.message_id, refusal)


def _twice(product_topic: str, source_topic: str | None, key: str | None, event: BaseModel) -> list[OutboxRecord]:
    records = [OutboxRecord.of(product_topic, key, event)]
    if source_topic is not None:
        records.append(OutboxRecord.of(source_topic, key, event, lane_key=key))
    return records
