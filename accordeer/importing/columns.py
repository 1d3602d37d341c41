"""The columns of an import file: Dutch headers as in Profit's import, with English aliases.

A header names a field, a characteristic ("Kenmerk: periode") or a free field
("Vrij veld: aantal"). Headers the import rules forbid (employee or debtor
numbers, reactions) are refused with their reason; report columns written by an
earlier run are skipped, so a corrected report imports again as it is. The
headers also tell the file's language, which the report then speaks.
"""

import re
from dataclasses import dataclass, field

from accordeer.importing.phrases import Phrase

FIELDS: dict[str, tuple[str, ...]] = {
    "item_type": ("Type dossieritem", "item type"),
    "organisation_person_id": (
        "Organisatie/persoon",
        "organisation/person",
        "Organisatie/persoon-id",
        "organisation_person_id",
    ),
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
"""Each field's headers: the Dutch one first, then the English ones."""
REQUIRED = ("organisation_person_id", "subject", "message_type", "document")
PREFIXES = {"characteristic": ("Kenmerk:", "characteristic:"), "free_field": ("Vrij veld:", "free field:")}
REPORT_COLUMNS = {
    "nl": ("Rij", "Resultaat", "Kolom", "Reden", "Bericht-id", "Dossieritems", "Status"),
    "en": ("Row", "Result", "Column", "Reason", "Message id", "Dossier items", "Status"),
}
IGNORED = ("Keuze verstrekkingswijze", "delivery method choice", *REPORT_COLUMNS["nl"], *REPORT_COLUMNS["en"])
_FORBIDDEN = {
    Phrase(
        nl="nummers van medewerkers of debiteuren kunnen niet gebruikt worden: geef het nummer van de"
        " organisatie/persoon in 'Organisatie/persoon'",
        en="employee or debtor numbers cannot be used: give the organisation/person number in 'Organisatie/persoon'",
    ): (
        "Medewerker",
        "Medewerkernummer",
        "employee",
        "employee id",
        "Debiteur",
        "Debiteurnummer",
        "debtor",
        "Verkooprelatie",
        "sales relation",
        "Crediteur",
        "creditor",
    ),
    Phrase(
        nl="reacties kunnen niet geïmporteerd worden; die worden later gegeven, in de accorderingsworkflow",
        en="reactions cannot be imported; they are given later, in the approval workflow",
    ): ("Reactie", "Reacties", "reaction", "reactions"),
}


def key_of(header: str) -> str:
    return re.sub(r"[\s_\-]+", " ", header.strip().lower())


_NAMES = {key_of(alias): name for name, aliases in FIELDS.items() for alias in aliases}
_DUTCH = {key_of(aliases[0]) for aliases in FIELDS.values()} | {
    key_of(h) for h in ("Keuze verstrekkingswijze", *REPORT_COLUMNS["nl"])
}
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

    def has(self, name: str) -> bool:
        return name in self.fields.values()


def read_headers(headers: list[str]) -> tuple[Columns, list[tuple[str, Phrase]]]:
    """The columns, and every header problem as (header, reason)."""
    columns, problems = Columns(headers=[str(h or "").strip() for h in headers]), []
    for index, header in enumerate(columns.headers):
        key = key_of(header)
        if not key or key in _SKIP:
            continue
        mapped = _prefixed(header)
        if key in _NAMES and _NAMES[key] in columns.fields.values():
            problems.append(
                (
                    header,
                    Phrase(
                        "deze kolom staat er twee keer; geef elke kolom één keer",
                        "this column appears twice; give each column once",
                    ),
                )
            )
        elif key in _NAMES:
            columns.fields[index] = _NAMES[key]
        elif mapped:
            columns.maps[index] = mapped
        else:
            known = ", ".join(aliases[0] for aliases in FIELDS.values())
            problems.append(
                (
                    header,
                    _REASONS.get(key)
                    or Phrase(
                        f"onbekende kolom; bekende kolommen zijn {known}, 'Kenmerk: <naam>' en 'Vrij veld: <naam>'",
                        f"unknown column; known columns are {known}, 'Kenmerk: <naam>' and 'Vrij veld: <naam>'",
                    ),
                )
            )
    missing = [FIELDS[name][0] for name in REQUIRED if name not in columns.fields.values()]
    problems += [(name, Phrase("verplichte kolom ontbreekt", "required column is missing")) for name in missing]
    return columns, problems


def language_of(headers: list[str]) -> str:
    """Dutch unless most of the headers that belong to one language are English."""
    keys = [key_of(h) for h in headers if h]
    dutch = sum(k in _DUTCH or k.startswith(("kenmerk:", "vrij veld:")) for k in keys)
    english = sum((k in _NAMES and k not in _DUTCH) or k.startswith(("characteristic:", "free field:")) for k in keys)
    return "en" if english > dutch else "nl"


def _prefixed(header: str) -> tuple[str, str] | None:
    for kind, prefixes in PREFIXES.items():
        for prefix in prefixes:
            if header.lower().startswith(prefix.lower()) and header[len(prefix) :].strip():
                return kind, header[len(prefix) :].strip()
    return None
