"""Dead-letter records: the original bytes, with the reason and the original coordinates in headers.

A record a consumer refuses goes to ``<its topic>.dlq`` (``Topics.dead_letters_of``), keyed by its original key
(or the message id when known), so ``accordeer dlq replay`` can send it back unchanged.
"""

from aiokafka import ConsumerRecord

from shared.db.outbox import OutboxRecord
from shared.topics import Topics

REASON_CODE = "accordeer-reason-code"
REASON = "accordeer-reason"
ORIGINAL_TOPIC = "accordeer-original-topic"
ORIGINAL_PARTITION = "accordeer-original-partition"
ORIGINAL_OFFSET = "accordeer-original-offset"
ORIGINAL_TIMESTAMP = "accordeer-original-timestamp"
REFUSED_BY = "accordeer-refused-by"
"""The consumer (group or service) that refused it: several read dossier.items and directory.parties."""
EXCEPTION_TYPE = "accordeer-exception-type"
EXCEPTION = "accordeer-exception"

UNREADABLE = "unreadable"
"""Reason code of a record of an internal topic that does not match its contract."""
FAILED_REPEATEDLY = "failed_repeatedly"
"""Reason code of a record whose apply failed the same way on every attempt while the infrastructure answered."""


def dead_letter(dlq_topic: str, record: ConsumerRecord, *, reason_code: str, reason: str,
                key: str | None = None, refused_by: str | None = None,
                extra_headers: tuple[tuple[str, str], ...] = ()) -> OutboxRecord:
    """The record for ``dlq_topic``; keyed by ``key`` (e.g. the message id) when known, else the original key."""
    headers = (
        (REASON_CODE, reason_code),
        (REASON, reason),
        (ORIGINAL_TOPIC, record.topic),
        (ORIGINAL_PARTITION, str(record.partition)),
        (ORIGINAL_OFFSET, str(record.offset)),
        (ORIGINAL_TIMESTAMP, str(record.timestamp)),
        *(((REFUSED_BY, refused_by),) if refused_by else ()),
        *extra_headers,
    )
    key = key or (record.key.decode(errors="replace") if record.key else None)
    return OutboxRecord(dlq_topic, key, record.value or b"", headers)


def unreadable(record: ConsumerRecord, error: str, *, refused_by: str) -> OutboxRecord:
    """The dead letter of a record of an internal topic its consumer could not read, for ``<its topic>.dlq``."""
    return dead_letter(Topics().dead_letters_of(record.topic), record, reason_code=UNREADABLE, reason=error[:1000],
                       refused_by=refused_by)
