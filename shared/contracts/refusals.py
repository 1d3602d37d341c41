"""Refused submissions on ``declarations.refused``: every "no" intake gives, in a form no one reads as a status.

A submission refused under the id of a message already registered (e.g. the
same ``message_id`` with other content) must not change what that message
shows on ``messages.status``; its sender still learns that, and why, here.
Every refusal is published, also for a message never registered (which gets
its status 0 on ``messages.status`` as well) and for a record whose id could
not be read (key and ``message_id`` then empty).
"""

from datetime import datetime
from uuid import NAMESPACE_URL, uuid5

from pydantic import Field

from shared.contracts.record import Record


class SubmissionRefused(Record):
    """One refused submission (one record of ``declarations.inbound``); key: its message_id when readable."""

    event_id: str = Field(description="Derived from the record's coordinates: a redelivery carries the same id.")
    message_id: str | None = Field(description="The submission's message_id, empty when it could not be read.")
    source: str | None = Field(description="The submission's source, empty when it could not be read.")
    reason_code: str = Field(description="Why, as a code (docs/external-packages.md lists them).")
    reason: str = Field(description="Why, as a sentence naming the field at fault.")
    content_sha256: str = Field(description="SHA-256 (hex) of the record's value as received: which submission.")
    message_status_unchanged: bool = Field(
        description=(
            "True when message_id names a message already registered: this refusal is about another submission under "
            "its id and leaves that message's status as it is (nothing is published on messages.status for it)."
        )
    )
    original_topic: str
    original_partition: int
    original_offset: int
    occurred_at: datetime

    @classmethod
    def of(
        cls, *, original_topic: str, original_partition: int, original_offset: int, **fields: object
    ) -> "SubmissionRefused":
        """The event for the record at these coordinates; deciding it again yields the same event_id."""
        where = f"{original_topic}:{original_partition}:{original_offset}"
        event_id = str(uuid5(NAMESPACE_URL, f"accordeer:refused:{where}"))
        return cls(
            event_id=event_id,
            original_topic=original_topic,
            original_partition=original_partition,
            original_offset=original_offset,
            **fields,
        )
