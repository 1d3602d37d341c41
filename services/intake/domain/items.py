"""Accepting a declaration: one Accorderingsbericht dossier item per destination, under the import rules."""

import base64
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shared.contracts.directory import Party
from shared.contracts.inbound import Attachment, Document, Identity, InboundDeclaration
from shared.contracts.summary import DeclarationSummary
from shared.documents.config import SummaryConfig
from shared.documents.refusals import DocumentRefusal
from shared.documents.summary import summarise

from .authorisation import Authorisations
from .destinations import mismatched_destination, repeated_destination, submitted_in_future
from .item_type import DossierItemType
from .reasons import ReasonCode
from .refusal import Refusal

ITEM_ID_NAMESPACE = uuid.UUID("9a4f3c2e-6b1d-5e8a-9c7f-2d4b6a8e0f13")


def dossier_item_id(source: str, message_id: str, destination_index: int) -> str:
    """Deterministic, so a redelivered declaration maps onto the items it already made."""
    return str(uuid.uuid5(ITEM_ID_NAMESPACE, json.dumps([source, message_id, destination_index])))


@dataclass(frozen=True)
class DossierItem:
    """One dossier item. ``delivery_method_choice`` is deliberately absent: it is ignored and produces nothing."""

    id: str
    message_id: str
    source: str
    message_type: str
    submitter: str
    submitted_at: datetime
    subject: str
    organisation_person_id: str
    contact_id: str | None
    identity: Identity
    document: Document
    attachment: Attachment | None
    confidential: bool
    destination_index: int
    received_at: datetime
    item_type: str
    characteristics: Mapping[str, str] = field(default_factory=dict)
    free_fields: Mapping[str, str | int | float | bool] = field(default_factory=dict)
    summary: DeclarationSummary | None = None
    """What the client approves, read from the document; None for a message type without a summary."""


DEFAULT_CLOCK_SKEW = timedelta(minutes=5)


def accept_declaration(
    decl: InboundDeclaration,
    *,
    authorisations: Authorisations,
    item_type: DossierItemType,
    parties: Mapping[str, Party],
    received_at: datetime,
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
    summaries: SummaryConfig | None = None,
) -> list[DossierItem] | Refusal:
    """``parties``: the directory entries of (at least) the declaration's destinations; ``summaries``: where each
    message type's summary is in its document (None: no summaries, every document accepted unread)."""
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")  # a caller's bug, not bad input
    refusal = repeated_destination(decl) or submitted_in_future(decl, received_at, clock_skew)
    if refusal:
        return refusal
    submitter = authorisations.submitter_for(decl, item_type.name)
    if isinstance(submitter, Refusal):
        return submitter
    if decl.attachment is not None and not item_type.allows_file_link:
        return Refusal(
            ReasonCode.ATTACHMENT_NOT_ALLOWED,
            f"attachment: the dossier item type {item_type.name} does not allow linking a file; leave out 'attachment'",
            decl.message_id,
            decl.source,
        )
    summary = (
        summarise(summaries, decl.message_type, decl.identity, base64.b64decode(decl.document.content_base64))
        if summaries
        else None
    )
    if isinstance(summary, DocumentRefusal):
        return Refusal(
            ReasonCode(summary.reason_code),
            f"document {decl.document.file_name}: {summary.message}",
            decl.message_id,
            decl.source,
        )
    # Last: the one refusal an operator fixes outside the message (by loading the directory) and then replays,
    # so a replayed declaration is not refused for something it could have been told the first time.
    refusal = mismatched_destination(decl, parties)
    if refusal:
        return refusal
    return [
        DossierItem(
            id=dossier_item_id(decl.source, decl.message_id, index),
            message_id=decl.message_id,
            source=decl.source,
            message_type=decl.message_type,
            submitter=submitter,
            submitted_at=decl.submitted_at or received_at,
            subject=decl.subject,
            organisation_person_id=destination.organisation_person_id,
            contact_id=destination.contact_id,
            identity=decl.identity,
            document=decl.document,
            attachment=decl.attachment,
            confidential=item_type.confidential,
            destination_index=index,
            received_at=received_at,
            item_type=item_type.name,
            characteristics=dict(decl.characteristics or {}),
            free_fields=dict(decl.free_fields or {}),
            summary=summary,
        )
        for index, destination in enumerate(decl.destinations)
    ]
