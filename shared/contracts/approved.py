"""Approved messages on ``messages.approved``: what dispatch files with the gateway (key: dossier item id)."""

from datetime import datetime

from shared.contracts.inbound import Document, Identity
from shared.contracts.record import Record


class MessageApproved(Record):
    """A dossier item approved by "Goedkeuren bericht", ready for the communication service."""

    schema_version: int = 1
    dossier_item_id: str
    message_id: str
    source: str
    message_type: str
    identity: Identity
    document: Document
    approved_by: str
    approved_at: datetime
