"""Status events on ``messages.status``: what the external application reads about its message."""

import json
from datetime import datetime
from enum import IntEnum
from uuid import NAMESPACE_URL, uuid5

from pydantic import Field

from shared.contracts.record import Record


class StatusCode(IntEnum):
    """The message statuses of the product contract (DOMAIN.md, "Message statuses")."""

    REGISTERED = 10
    PROCESSING = 20
    IN_WORKFLOW = 30
    REJECTED = 40
    PREPARED_FOR_SENDING = 50
    SENT = 60
    SEND_ERROR = 70
    ACCEPTED_BY_AUTHORITY = 80
    DECLINED_BY_AUTHORITY = 90
    REFUSED = 0
    """Refused at intake: never registered. Detail carries the reason code and text."""

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def is_final(self) -> bool:
        return self in (StatusCode.ACCEPTED_BY_AUTHORITY, StatusCode.DECLINED_BY_AUTHORITY, StatusCode.REFUSED)


_LABELS = {
    StatusCode.REFUSED: "Refused",
    StatusCode.REGISTERED: "Registered",
    StatusCode.PROCESSING: "Processing",
    StatusCode.IN_WORKFLOW: "In workflow",
    StatusCode.REJECTED: "Rejected",
    StatusCode.PREPARED_FOR_SENDING: "Prepared for sending",
    StatusCode.SENT: "Sent",
    StatusCode.SEND_ERROR: "Send error",
    StatusCode.ACCEPTED_BY_AUTHORITY: "Accepted by authority",
    StatusCode.DECLINED_BY_AUTHORITY: "Declined by authority",
}


class StatusEvent(Record):
    """One status change of one message (and, once it exists, one dossier item)."""

    event_id: str = Field(description="Unique per event; a consumer that sees it twice drops the second.")
    message_id: str
    source: str
    dossier_item_id: str | None = None
    status_code: StatusCode
    status: str
    detail: str = ""
    reason_code: str | None = None
    authority_status_code: str | None = None
    occurred_at: datetime

    @classmethod
    def of(
        cls,
        code: StatusCode,
        *,
        message_id: str,
        dossier_item_id: str | None,
        occurred_at: datetime,
        cause: str | None = None,
        **fields: object,
    ) -> "StatusEvent":
        """A status event whose event_id is derived, so re-emitting the same change yields the same id.

        ``cause``: what made the change, named exactly enough that nothing else makes this code for this item (the
        record's coordinates, an action id, a gateway status). Given, the id is derived from it instead of the time:
        a change made again from the same cause (a database restored from a backup applies Kafka's records again)
        carries its first id, so consumers drop it, whenever it is told."""
        identity: list[object] = [message_id, dossier_item_id, int(code)]
        if cause is None:
            identity += [occurred_at.isoformat(), fields.get("detail", ""), fields.get("reason_code")]
        else:
            identity += ["cause", cause, fields.get("reason_code")]
        event_id = str(uuid5(NAMESPACE_URL, json.dumps(identity)))
        return cls(
            event_id=event_id,
            status_code=code,
            status=code.label,
            message_id=message_id,
            dossier_item_id=dossier_item_id,
            occurred_at=occurred_at,
            **fields,
        )
