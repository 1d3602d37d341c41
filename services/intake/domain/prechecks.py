"""Refusals with their own reason, checked on the raw JSON object before the generic schema validation.

Each says precisely what the import rules forbid (reactions, other destination
references, several attachments, a local drive path) instead of "unknown field".
"""

from collections.abc import Callable
from typing import Any

from .locations import is_local_drive_path, unc_form
from .raw import format_path
from .reasons import ReasonCode

Found = tuple[ReasonCode, str] | None

_REACTION_KEYS = {"reactions", "reacties", "reaction", "reactie"}
_DESTINATION_KEYS = {"organisation_person_id", "contact_id"}
_FORBIDDEN_REFERENCES = {
    "employee ids": {"employee_id", "medewerker_id", "employee", "medewerker"},
    "sales-relation ids": {"sales_relation_id", "verkooprelatie_id", "sales_relation", "verkooprelatie"},
    "purchase-relation ids": {"purchase_relation_id", "inkooprelatie_id"},
    "debtor ids": {"debtor_id", "debiteur_id", "debtor", "debiteur"},
    "creditor ids": {"creditor_id", "crediteur_id", "creditor", "crediteur"},
}


def specific_refusal(obj: dict[str, Any]) -> Found:
    checks: list[Callable[[dict[str, Any]], Found]] = [
        _reactions,
        _destination_references,
        _attachment_count,
        _attachment_location,
    ]
    for check in checks:
        found = check(obj)
        if found:
            return found
    return None


def _reactions(obj: dict[str, Any]) -> Found:
    key = next((k for k in obj if k.lower() in _REACTION_KEYS), None)
    if key is None:
        return None
    return (
        ReasonCode.REACTIONS_NOT_IMPORTABLE,
        f"{format_path((key,))}: reactions cannot be imported; remove this field"
        " (reactions are given later, in the approval workflow)",
    )


def _destination_references(obj: dict[str, Any]) -> Found:
    destinations = obj.get("destinations")
    if not isinstance(destinations, list):
        return None
    offending = [
        (index, key)
        for index, destination in enumerate(destinations)
        if isinstance(destination, dict)
        for key in destination
        if key not in _DESTINATION_KEYS
    ]
    if not offending:
        return None
    index, key = offending[0]
    kind = next((name for name, keys in _FORBIDDEN_REFERENCES.items() if key.lower() in keys), None)
    what = f"{kind} cannot be used" if kind else f"{format_path((key,))} cannot be used"
    more = f" ({len(offending) - 1} more such field(s) in destinations)" if len(offending) > 1 else ""
    return (
        ReasonCode.DESTINATION_REFERENCE_NOT_ALLOWED,
        f"{format_path(('destinations', index, key))}: destinations are given only by organisation_person_id"
        f" and optional contact_id; {what}{more}",
    )


def _attachment_count(obj: dict[str, Any]) -> Found:
    count = sum(_count(obj[key]) for key in ("attachment", "attachments") if key in obj)
    if count <= 1:
        return None
    return (
        ReasonCode.TOO_MANY_ATTACHMENTS,
        f"attachment: at most one attachment can be imported per message, this one has {count};"
        " give one object in 'attachment' and send other files separately",
    )


def _count(value: Any) -> int:
    if isinstance(value, list):
        return len(value)
    return 0 if value is None else 1


def _attachment_location(obj: dict[str, Any]) -> Found:
    attachment = obj.get("attachment")
    location = attachment.get("location") if isinstance(attachment, dict) else None
    if not isinstance(location, str) or not is_local_drive_path(location):
        return None
    return (
        ReasonCode.LOCAL_DRIVE_PATH,
        f"attachment.location: {_quoted(location)} is a local drive path, which intake cannot reach;"
        f" use the UNC form of the same path instead: {_quoted(unc_form(location))}",
    )


def _quoted(text: str) -> str:
    shown = text if len(text) <= 300 else text[:297] + "..."
    return "'" + "".join(ch if ch.isprintable() else "?" for ch in shown) + "'"
