"""What a row's declaration derives rather than reads: the identity from the directory, the message id from what
the row means."""

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from accordeer.importing.phrases import Phrase
from shared.contracts.directory import Party

IDENTITY_TYPES = {
    "btw-aangifte": "BTW",
    "btw-suppletieaangifte": "BTW",
    "icp-aangifte": "BTW",
    "loonheffing": "LHnr",
    "kvk-stukken": "KvK",
}
"""Whose number a message type is about when the file gives no identity: read from the directory."""


class NoIdentity(ValueError):
    def __init__(self, name: str, phrase: Phrase, code: str = "import_file"):
        super().__init__(phrase.en)
        self.name, self.phrase, self.code = name, phrase, code


def identity_of(
    message_type: str, number: str, kind: str, organisation: str, parties: Mapping[str, Party]
) -> dict[str, str]:
    """The identity the row gives, else the one number of its type the directory has for the destination."""
    kind = kind or IDENTITY_TYPES.get(message_type, "")
    if number and kind:
        return {"number": number, "type": kind}
    if not kind:
        known = ", ".join(IDENTITY_TYPES)
        raise NoIdentity(
            "message_type",
            Phrase(
                f"bij berichttype {message_type!r} weet de import niet welk nummer van de klant hoort; bekende"
                f" berichttypen zijn {known}; geef anders 'Nummer belanghebbende' en 'Type belanghebbende'",
                f"the import does not know which of the client's numbers message type {message_type!r} is about; known"
                f" message types are {known}; else give 'Nummer belanghebbende' and 'Type belanghebbende'",
            ),
        )
    party = parties.get(organisation)
    if party is None:
        raise NoIdentity(
            "organisation_person_id",
            Phrase(
                f"{organisation} is (nog) geen klant in het relatiebestand van het kantoor",
                f"{organisation} is not a client in the office's directory (yet)",
            ),
            "destination_unknown",
        )
    # numbers is keyed by the identity-type literals and `kind` is a plain str from the row: looked up by comparison,
    # as .get would, rather than narrowed to the literal type.
    registered = next((found for identity_type, found in party.numbers.items() if identity_type == kind), [])
    if len(registered) != 1:
        raise NoIdentity(
            "identity_number",
            Phrase(
                f"geef het nummer (en type) van de belanghebbende waar deze {message_type} over gaat; het"
                f" relatiebestand heeft {len(registered)} {kind}-nummer(s) voor {organisation}",
                f"give the identity number (and type) this {message_type} is about; the directory has"
                f" {len(registered)} {kind} number(s) for {organisation}",
            ),
        )
    return {"number": registered[0], "type": kind}


def message_id_of(meaning: Mapping[str, Any]) -> str:
    """From what the row means, not how its cells are written: the same declaration again, from this file, a
    corrected report of it or a copy another program saved, is the same message, which intake takes as a no-op;
    any change of meaning makes it a new one."""
    digest = hashlib.sha256(json.dumps(meaning, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f"import-{digest[:40]}"
