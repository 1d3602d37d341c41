"""What may be logged about a declaration or dossier item.

Never any base64 content, only file names and sizes. For confidential items not
even the subject, file names, attachment location or values of characteristics
and free fields; only their keys. The identity number (often a fiscal number,
which for a person is the BSN) is always masked.
"""

from typing import Any

from shared.contracts.inbound import Attachment, Document, InboundDeclaration

from .items import DossierItem


def redact(obj: DossierItem | InboundDeclaration, *, confidential: bool | None = None) -> dict[str, Any]:
    """``confidential`` defaults to the item's own flag; a bare declaration counts as confidential."""
    if confidential is None:
        confidential = obj.confidential if isinstance(obj, DossierItem) else True
    out: dict[str, Any] = {
        "message_id": obj.message_id,
        "source": obj.source,
        "message_type": obj.message_type,
        "submitter": obj.submitter,
        "submitted_at": obj.submitted_at.isoformat() if obj.submitted_at else None,
        "confidential": confidential,
        "identity": {"type": obj.identity.type, "number": _masked(obj.identity.number)},
        "document": _file(obj.document, confidential),
        "attachment": _file(obj.attachment, confidential) if obj.attachment else None,
    }
    if isinstance(obj, DossierItem):
        out |= {
            "id": obj.id,
            "organisation_person_id": obj.organisation_person_id,
            "contact_id": obj.contact_id,
        }
    else:
        out["destinations"] = len(obj.destinations)
    if not confidential:
        out["subject"] = obj.subject
    out["characteristics"] = _fields(obj.characteristics, confidential)
    out["free_fields"] = _fields(obj.free_fields, confidential)
    return out


def base64_size(content: str) -> int:
    """Decoded size of valid, padded base64, without decoding it."""
    return len(content) // 4 * 3 - content[-2:].count("=")


def _file(file: Document | Attachment, confidential: bool) -> dict[str, Any]:
    out: dict[str, Any] = {} if confidential else {"file_name": file.file_name}
    if isinstance(file, Document):
        out["mime_type"] = file.mime_type
    if file.content_base64 is not None:
        out["size_bytes"] = base64_size(file.content_base64)
    elif not confidential and isinstance(file, Attachment):
        out["location"] = file.location
    return out


def _fields(values: Any, confidential: bool) -> Any:
    if not values:
        return {}
    return sorted(values) if confidential else dict(values)


def _masked(number: str) -> str:
    return "*" * max(len(number) - 3, 0) + number[-3:] if len(number) > 3 else "*" * len(number)
