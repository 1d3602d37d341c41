"""What the API answers, as pydantic models with examples: the contract the OpenAPI document publishes."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import JsonDict

from services.status_api.cursors import cursor_of
from services.status_api.entries import Numbered
from services.status_api.rights import SubmitRights

ACCEPTED: JsonDict = {
    "cursor": "57",
    "event_id": "17231246-08f2-59e6-9d58-4d81fc1f31cb",
    "kind": "status",
    "message_id": "afas-2025-000123",
    "dossier_item_id": "0d5bb3f6-5f6e-5a3c-9c65-3f3f0c4d8a11",
    "status_code": 80,
    "status": "Accepted by authority",
    "detail": "500 verwerking door uitvragende partij gelukt",
    "reason_code": None,
    "authority_status_code": "500",
    "occurred_at": "2025-02-04T11:00:00Z",
}
REFUSED: JsonDict = {
    "cursor": "58",
    "event_id": "8a703d77-33f8-5f7c-95f7-5f8132d61a8e",
    "kind": "refused",
    "message_id": "afas-2025-000123",
    "dossier_item_id": None,
    "status_code": 0,
    "status": "Refused",
    "detail": "message_id: 'afas-2025-000123' was already used by source 'afas-fin': message id already used with"
    " other content; send changed content under a new message_id",
    "reason_code": "message_id_reused",
    "authority_status_code": None,
    "occurred_at": "2025-02-04T11:05:00Z",
}


class Status(BaseModel):
    """One line of the source's status stream."""

    model_config = ConfigDict(json_schema_extra={"examples": [ACCEPTED, REFUSED]})

    cursor: str = Field(description="This line's place in the source's stream: ask `/v1/statuses?after=` it.")
    event_id: str = Field(description="Unique per line; the same event is never two lines.")
    kind: Literal["status", "refused"] = Field(
        description="'status': a status of the message. 'refused': a submission under this message id was refused"
        " at intake while the message itself keeps its status (e.g. message_id_reused; status_code 0)."
    )
    message_id: str | None = Field(description="The message; empty only for a refused submission without one.")
    dossier_item_id: str | None = Field(description="The dossier item (one per destination) once it exists.")
    status_code: int = Field(description="10 Registered ... 80/90 final; 0 Refused (docs/external-packages.md).")
    status: str = Field(description="The status's name, e.g. 'Accepted by authority'.")
    detail: str = Field(description="Why or how: a rejection's reason, the authority's error, a refusal's reason.")
    reason_code: str | None = Field(description="For a refusal: why, as a code (docs/external-packages.md).")
    authority_status_code: str | None = Field(
        description="The communication service's own status code (Digipoort's, e.g. '500'), when there is one."
    )
    occurred_at: datetime = Field(description="When it happened (RFC 3339).")

    @classmethod
    def of(cls, line: Numbered) -> "Status":
        e = line.entry
        return cls(
            cursor=cursor_of(line.seq),
            event_id=e.event_id,
            kind=e.kind,
            message_id=e.message_id,
            dossier_item_id=e.dossier_item_id,
            status_code=e.status_code,
            status=e.status,
            detail=e.detail,
            reason_code=e.reason_code,
            authority_status_code=e.authority_status_code,
            occurred_at=e.occurred_at,
        )


class MessageStatuses(BaseModel):
    """getStatussenProces: the statuses of one message."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"message_id": "afas-2025-000123", "statuses": [ACCEPTED, REFUSED]}]}
    )

    message_id: str = Field(description="The message asked about.")
    statuses: list[Status] = Field(description="In the order they were recorded (oldest first).")


class StatusPage(BaseModel):
    """getNieuweStatussen: what is new since a cursor."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"statuses": [ACCEPTED, REFUSED], "next": "58"}]})

    statuses: list[Status] = Field(description="The lines after the cursor, oldest first; at most `limit`.")
    next: str = Field(
        description="The cursor to ask with next time; the one asked with when no line was new. Keep it only once"
        " the lines are processed: asking again with an older cursor gives the same lines again."
    )


class MessageTypes(BaseModel):
    """What the source may submit."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "source": "nmbrs",
                    "service_user": "svc-nmbrs",
                    "all_message_types": False,
                    "message_types": ["loonheffing"],
                }
            ]
        }
    )

    source: str = Field(description="The source the API key belongs to.")
    service_user: str | None = Field(description="The user its messages are submitted as when they name none.")
    all_message_types: bool = Field(
        description="True when the service user may submit every message type ('*'), also types added later."
    )
    message_types: list[str] = Field(
        description="The message types it may submit (with all_message_types: at least the product's own)."
    )

    @classmethod
    def of(cls, rights: SubmitRights) -> "MessageTypes":
        return cls(
            source=rights.source,
            service_user=rights.service_user,
            all_message_types=rights.all_message_types,
            message_types=list(rights.message_types),
        )
