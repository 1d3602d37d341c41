"""Dossier items on ``dossier.items``: what intake created, for the workflow to pick up (key: dossier item id)."""

from datetime import datetime

from pydantic import Field

from shared.contracts.inbound import Attachment, Document, Identity
from shared.contracts.record import Record
from shared.contracts.summary import DeclarationSummary


class DossierItemCreated(Record):
    """One Accorderingsbericht dossier item, for one destination of one declaration."""

    schema_version: int = 1
    dossier_item_id: str
    item_type: str = "Accorderingsbericht"
    message_id: str
    source: str
    message_type: str
    submitter: str
    submitted_at: datetime
    subject: str
    organisation_person_id: str
    contact_id: str | None = None
    identity: Identity
    document: Document
    attachment: Attachment | None = None
    characteristics: dict[str, str] = Field(default={})
    free_fields: dict[str, str | bool | int | float] = Field(default={})
    confidential: bool = False
    summary: DeclarationSummary | None = None
