"""The columns of an import file: Dutch headers as in Profit's import, with English aliases.

A header names a field, a characteristic ("Kenmerk: periode") or a free field
("Vrij veld: aantal"). Headers the import rules forbid (employee or debtor
numbers, reactions) are refused with their reason; report columns written by an
earlier run are skipped, so a corrected report imports again as it is.
"""

import re
from dataclasses import dataclass, field

FIELDS: dict[str, tuple[str, ...]] = {
    "item_type": ("Type dossieritem", "item type"),
    "organisation_person_id": ("Organisatie/persoon", "organisation/person", "Organisatie/persoon-id",
                               "organisation_person_id"),
    "contact_id": ("Contactpersoon", "contact", "Contactpersoon-id", "contact_id"),
    "subject": ("Onderwerp", "subject"),
    "message_type": ("Berichttype", "message type", "message_type"),
    "submitter": ("Instuurder", "submitter"),
    "submitted_at": ("Instuurdatum", "submit date", "submitted_at"),
    "identity_number": ("Nummer belanghebbende", "identity number"),
    "identity_type": ("Type belanghebbende", "identity type"),
    "document": ("Document", "document"),
    "attachment": ("Bijlage", "attachment"),
}
REQUIRED = ("organisation_person_id", "subject", "message_type", "document")
PREFIXES = {"characteristic": ("Kenmerk:", "characteristic:"), "free_field": ("Vrij veld:", "free field:")}
REPORT_COLUMNS = ("Rij", "Resultaat", "Kolom", "Reden", "Bericht-id", "Dossieritems", "Status")
IGNORED = ("Keuze verstrekkingswijze", "delivery method choice", *REPORT_COLUMNS)
_FORBIDDEN = {
    "employee or debtor numbers cannot be used: give the organisation/person number in 'Organisatie/persoon'": (
        "Medewerker", "Medewerkernummer", "employee", "employee id", "Debiteur", "Debiteurnummer", "debtor",
        "Verkooprelatie", "sales relation", "Crediteur", "creditor"),
    "reactions cannot be imported; they are given later, in the approval workflow": ("Reactie", "Reacties",
                                                                                      "reaction", "reactions"),
}


def key_of(header: str) -> str:
    return re.sub(r"[\s_\-]+", " ", header.strip().lower())


_NAMES = {key_of(alias): name for name, aliases in FIELDS.items() for alias in aliases}
_SKIP = {key_of(h) for h in IGNORED}
_REASONS = {key_of(h): reason for reason, headers in _FORBIDDEN.items() for h in headers}


@dataclass
class Columns:
    """Column index → what it holds: a field name, or ("characteristic"|"free_field", key)."""

    fields: dict[int, str] = field(default_factory=dict)
    maps: dict[int, tuple[str, str]] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)

    def header_of(self, name: str) -> str:
        index = next((i for i, n in self.fields.items() if n == name), None)
        return self.headers[index] if index is not None else FIELDS[name][0]


def read_headers(headers: list[str]) -> tuple[Columns, list[tuple[str, str]]]:
    """The columns, and every header problem as (header, reason)."""
    columns, problems = Columns(headers=[str(h or "").strip() for h in headers]), []
    for index, header in enumerate(columns.headers):
        key = key_of(header)
        if not key or key in _SKIP:
            continue
        mapped = _prefixed(header)
        if key in _NAMES and _NAMES[key] in columns.fields.values():
            problems.append((header, "this column appears twice; give each column once"))
        elif key in _NAMES:
            columns.fields[index] = _NAMES[key]
        elif mapped:
            columns.maps[index] = mapped
        else:
            problems.append((header, _REASONS.get(key) or "unknown column; known columns are "
                             + ", ".join(aliases[0] for aliases in FIELDS.values())
                             + ", 'Kenmerk: <naam>' and 'Vrij veld: <naam>'"))
    missing = [FIELDS[name][0] for name in REQUIRED if name not in columns.fields.values()]
    problems += [(name, "required column is missing") for name in missing]
    return columns, problems


def _prefixed(header: str) -> tuple[str, str] | None:
    for kind, prefixes in PREFIXES.items():
        for prefix in prefixes:
            if header.lower().startswith(prefix.lower()) and header[len(prefix):].strip():
                return kind, header[len(prefix):].strip()
    return None
