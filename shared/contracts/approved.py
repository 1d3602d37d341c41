"""Approved messages on ``messages.approved``: what dispatch files with the gateway (key: dossier item id)."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from shared.contracts.inbound import Document, Identity


class MessageApproved(BaseModel):
    """A dossier item approved by "Goedkeuren bericht", ready for the communication service."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int = 1
    dossier_item_id: str
    message_id: str
    source: str
    message_type: str
    identity: Identity
    document: Document
    approved_by: str
    approved_at: datetime
