"""What a row's declaration derives rather than reads: the identity from the directory, the message id from the
row's content."""

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from accordeer.importing.cells import text
from accordeer.importing.columns import Columns
from shared.contracts.directory import Party

IDENTITY_TYPES = {"btw-aangifte": "BTW", "btw-suppletieaangifte": "BTW", "icp-aangifte": "BTW",
                  "loonheffing": "LHnr", "kvk-stukken": "KvK"}
"""Whose number a message type is about when the file gives no identity: read from the directory."""


class NoIdentity(ValueError):
    def __init__(self, name: str, reason: str, code: str = "import_file"):
        super().__init__(reason)
        self.name, self.code = name, code


def identity_of(message_type: str, number: str, kind: str, organisation: str,
                parties: Mapping[str, Party]) -> dict[str, str]:
    """The identity the row gives, else the one number of its type the directory has for the destination."""
    kind = kind or IDENTITY_TYPES.get(message_type, "")
    if number and kind:
        return {"number": number, "type": kind}
    party = parties.get(organisation)
    if party is None:
        raise NoIdentity("organisation_person_id", f"{organisation} is not a client in the office's directory (yet)",
                         "destination_unknown")
    registered = party.numbers.get(kind, []) if kind else []  # type: ignore[call-overload]
    if len(registered) != 1:
        raise NoIdentity("identity_number", f"give the identity number (and type) this {message_type or 'message'}"
                         f" is about; the directory has {len(registered)} {kind or 'such'} number(s) for {organisation}")
    return {"number": registered[0], "type": kind}


def message_id_of(values: dict[str, Any], cells: list[Any], columns: Columns, document: str) -> str:
    """From the row's own content and its document's: the same row again (in this file or a corrected report of
    it) is the same message, so intake takes it as a no-op; any change makes it a new message."""
    content = {name: text(value) for name, value in values.items() if text(value)}
    content |= {f"{kind}:{key}": text(cells[i]) for i, (kind, key) in columns.maps.items() if text(cells[i])}
    digest = hashlib.sha256(json.dumps([content, hashlib.sha256(document.encode()).hexdigest()],
                                       sort_keys=True).encode()).hexdigest()
    return f"import-{digest[:40]}"
