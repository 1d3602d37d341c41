"""Dead-letter records: the original bytes, with the reason and the original coordinates in headers."""

from aiokafka import ConsumerRecord

from shared.db.outbox import OutboxRecord

REASON_CODE = "accordeer-reason-code"
REASON = "accordeer-reason"
ORIGINAL_TOPIC = "accordeer-original-topic"
ORIGINAL_PARTITION = "accordeer-original-partition"
ORIGINAL_OFFSET = "accordeer-original-offset"
ORIGINAL_TIMESTAMP = "accordeer-original-timestamp"


def dead_letter(dlq_topic: str, record: ConsumerRecord, *, reason_code: str, reason: str,
                key: str | None = None) -> OutboxRecord:
    """The record for ``dlq_topic``; keyed by ``key`` (e.g. the message id) when known, else the original key."""
    headers = (
        (REASON_CODE, reason_code),
        (REASON, reason),
        (ORIGINAL_TOPIC, record.topic),
        (ORIGINAL_PARTITION, str(record.partition)),
        (ORIGINAL_OFFSET, str(record.offset)),
        (ORIGINAL_TIMESTAMP, str(record.timestamp)),
    )
    key = key or (record.key.decode(errors="replace") if record.key else None)
    return OutboxRecord(dlq_topic, key, record.value or b"", headers)
