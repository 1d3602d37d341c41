"""Dead-letter records: the original bytes, with the reason and the original coordinates in headers.

A record a consumer refuses goes to ``<its topic>.dlq`` (``Topics.dead_letters_of``), keyed by its original key
(or the message id when known), so ``accordeer dlq replay`` can send it back unchanged.
"""

from typing import TypeVar

import structlog
from aiokafka import ConsumerRecord
from pydantic import BaseModel, ValidationError

from shared.contracts.record import READ_BACK
from shared.db.outbox import OutboxRecord

log = structlog.get_logger(__name__)
Model = TypeVar("Model", bound=BaseModel)

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


def dead_letter(
    dlq_topic: str,
    record: ConsumerRecord,
    *,
    reason_code: str,
    reason: str,
    key: str | None = None,
    refused_by: str | None = None,
    extra_headers: tuple[tuple[str, str], ...] = (),
) -> OutboxRecord:
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
    return dead_letter(
        f"{record.topic}.dlq",
        record,
        reason_code=UNREADABLE,
        reason=error[:1000],
        refused_by=refused_by,
    )


def read_as(
    model: type[Model],
    record: ConsumerRecord,
    *,
    refused_by: str,
    reason_code: str = UNREADABLE,
    dead_letter_topic: str | None = None,
    command: bool = False,
) -> Model | OutboxRecord:
    """The record as ``model``; or, when it does not match that contract, its dead letter for ``dead_letter_topic``
    (by default ``<its topic>.dlq``; a family's member gives its family's, Topics.dead_letters_of), saying where
    it breaks it. Logged, never raised: one bad record must not stop a partition.

    An event is read as a record another version may have written: fields this version does not know are ignored
    (shared/contracts/record.py). A ``command`` (an action, a set-up command) is read strictly: carrying it out
    without a field its sender gave it (a comment, a confirmed statement) would do something else than was asked,
    so a command with an unknown field is refused, and a new field of a command is read by one version before the
    next one writes it (docs/deploy.md)."""
    try:
        return model.model_validate_json(record.value or b"", context=None if command else READ_BACK)
    except ValidationError as error:
        reason = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'record'}: {e['msg']}" for e in error.errors())
        log.error(
            "record does not match its contract; dead-lettered",
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            model=model.__name__,
            reason=reason[:500],
        )
        return dead_letter(
            dead_letter_topic or f"{record.topic}.dlq",
            record,
            reason_code=reason_code,
            reason=reason[:1000],
            refused_by=refused_by,
        )
