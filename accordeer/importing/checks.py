"""The early check of a prepared row with intake's own rules and code, so the report is right before anything is
published. Intake stays the authority: it judges every published row again."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from accordeer.importing.columns import Columns
from accordeer.importing.rows import Prepared, RowRefusal
from services.intake.domain import (
    Authorisations,
    DossierItemType,
    ReasonCode,
    Refusal,
    accept_declaration,
    parse_declaration,
)
from shared.contracts.directory import Party
from shared.documents.config import SummaryConfig

_FIELD_OF_REASON = {
    ReasonCode.LOCAL_DRIVE_PATH: "attachment", ReasonCode.ATTACHMENT_NOT_ALLOWED: "attachment",
    ReasonCode.TOO_MANY_ATTACHMENTS: "attachment", ReasonCode.UNAUTHORISED_SUBMITTER: "submitter",
    ReasonCode.DESTINATION_UNKNOWN: "organisation_person_id", ReasonCode.DESTINATION_INACTIVE: "organisation_person_id",
    ReasonCode.DESTINATION_REPEATED: "organisation_person_id", ReasonCode.CONTACT_NOT_OF_DESTINATION: "contact_id",
    ReasonCode.IDENTITY_NOT_REGISTERED: "identity_number", ReasonCode.SUBMITTED_IN_FUTURE: "submitted_at",
    ReasonCode.DOCUMENT_NOT_XML: "document", ReasonCode.DOCUMENT_UNSAFE: "document",
    ReasonCode.DOCUMENT_FACT_MISSING: "document", ReasonCode.DOCUMENT_IDENTITY_MISMATCH: "document",
    ReasonCode.TOO_LARGE: "document",
}
_FIELD_OF_PATH = {
    "subject": "subject", "message_type": "message_type", "submitter": "submitter", "submitted_at": "submitted_at",
    "organisation_person_id": "organisation_person_id", "contact_id": "contact_id", "number": "identity_number",
    "type": "identity_type", "document": "document", "attachment": "attachment",
}


@dataclass(frozen=True)
class Rules:
    """What intake judges a declaration against, read once per import."""

    authorisations: Authorisations
    item_type: DossierItemType
    parties: Mapping[str, Party]
    summaries: SummaryConfig | None
    now: datetime
    clock_skew: timedelta
    max_bytes: int


def check(prepared: Prepared, rules: Rules, columns: Columns) -> Prepared | RowRefusal:
    declaration = parse_declaration(prepared.value, max_bytes=rules.max_bytes)
    if not isinstance(declaration, Refusal):
        declaration = accept_declaration(declaration, authorisations=rules.authorisations, item_type=rules.item_type,
                                         parties=rules.parties, received_at=rules.now, clock_skew=rules.clock_skew,
                                         summaries=rules.summaries)
    if isinstance(declaration, Refusal):
        return RowRefusal(prepared.row, column_of(declaration, columns), declaration.message,
                          str(declaration.reason_code))
    return prepared


def column_of(refusal: Refusal, columns: Columns) -> str:
    """The column a refusal is about: by its reason, else by the field its message starts with."""
    name = _FIELD_OF_REASON.get(refusal.reason_code)
    if name is None:
        path = re.match(r"[\w.\[\]]+", refusal.message)
        parts = re.findall(r"[a-z_]+", path.group(0)) if path else []
        if parts and parts[0] in ("characteristics", "free_fields"):
            return "Kenmerken" if parts[0] == "characteristics" else "Vrije velden"
        name = next((_FIELD_OF_PATH[p] for p in reversed(parts) if p in _FIELD_OF_PATH), None)
    return columns.header_of(name) if name else ""
