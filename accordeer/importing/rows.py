"""One row of an import file and its documents → one inbound declaration (version 1), or the row's refusal.

Only what the file itself decides is checked here (columns, dates, file names); the
rules intake enforces are left to intake's own code (checks.py).
"""

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accordeer.importing.cells import moment, text
from accordeer.importing.columns import Columns
from accordeer.importing.derived import NoIdentity, identity_of, message_id_of
from accordeer.importing.documents import FileProblem, NamesPerDestination, attachment_of, document_path, mime_type
from services.intake.domain import ACCORDERINGSBERICHT
from shared.contracts.directory import Party


@dataclass(frozen=True)
class RowRefusal:
    row: int
    column: str
    reason: str
    code: str = "import_file"


@dataclass(frozen=True)
class Prepared:
    row: int
    message_id: str
    value: bytes
    """The declaration's JSON, as it will be published."""


@dataclass
class Setup:
    """What every row of one import shares."""

    source: str
    documents: Path
    shares: dict[str, Path] = field(default_factory=dict)
    submitter: str | None = None
    parties: Mapping[str, Party] = field(default_factory=dict)
    names: NamesPerDestination = field(default_factory=NamesPerDestination)


class _Refused(Exception):
    def __init__(self, name: str, reason: str, code: str = "import_file"):
        super().__init__(reason)
        self.name, self.reason, self.code = name, reason, code


def prepare_row(number: int, cells: list[Any], columns: Columns, setup: Setup) -> Prepared | RowRefusal:
    values = {name: cells[index] for index, name in columns.fields.items()}
    try:
        return _prepare(number, values, cells, columns, setup)
    except _Refused as refused:
        return RowRefusal(number, columns.header_of(refused.name), refused.reason, refused.code)


def _prepare(number: int, values: dict[str, Any], cells: list[Any], columns: Columns, setup: Setup) -> Prepared:
    item_type = text(values.get("item_type"))
    if item_type and item_type.lower() != ACCORDERINGSBERICHT.lower():
        raise _Refused("item_type", f"{item_type!r}: one import holds one dossier item type, and it is"
                       f" {ACCORDERINGSBERICHT}; import other types separately", "item_type")
    organisation = text(values.get("organisation_person_id"))
    if not organisation:
        raise _Refused("organisation_person_id", "give the organisation/person number of the destination")
    path = _file(lambda: document_path(text(values.get("document")), organisation, setup.documents), "document")
    _file(lambda: setup.names.claim(organisation, path.name, number), "document")
    declaration = {
        "schema_version": 1, "source": setup.source, "message_type": text(values.get("message_type")),
        "subject": text(values.get("subject")),
        "destinations": [{"organisation_person_id": organisation}
                         | ({"contact_id": c} if (c := text(values.get("contact_id"))) else {})],
        "identity": _identity(values, organisation, setup.parties),
        "document": {"file_name": path.name, "mime_type": mime_type(path.name),
                     "content_base64": base64.b64encode(path.read_bytes()).decode()},
        **_optional(values, cells, columns, setup, organisation, number),
    }
    message_id = message_id_of(values, cells, columns, declaration["document"]["content_base64"])
    return Prepared(number, message_id, json.dumps({"message_id": message_id, **declaration}).encode())


def _optional(values, cells, columns: Columns, setup: Setup, organisation: str, number: int) -> dict:
    found: dict[str, Any] = {}
    if submitter := text(values.get("submitter")) or setup.submitter:
        found["submitter"] = submitter
    if text(values.get("submitted_at")):
        try:
            found["submitted_at"] = moment(values["submitted_at"]).isoformat()
        except ValueError as error:
            raise _Refused("submitted_at", str(error)) from None
    if location := text(values.get("attachment")):
        attachment = _file(lambda: attachment_of(location, setup.shares), "attachment")
        _file(lambda: setup.names.claim(organisation, attachment["file_name"], number), "attachment")
        found["attachment"] = attachment
    for kind, key in ("characteristics", "characteristic"), ("free_fields", "free_field"):
        entries = {name: _value(cells[i], kind) for i, (k, name) in columns.maps.items()
                   if k == key and text(cells[i])}
        if entries:
            found[kind] = entries
    return found


def _value(cell: Any, kind: str) -> Any:
    return cell if kind == "free_fields" and isinstance(cell, (bool, int, float)) else text(cell)


def _file(check, name: str):
    try:
        return check()
    except FileProblem as problem:
        raise _Refused(name, str(problem)) from None


def _identity(values: dict[str, Any], organisation: str, parties: Mapping[str, Party]) -> dict[str, str]:
    try:
        return identity_of(text(values.get("message_type")), text(values.get("identity_number")),
                           text(values.get("identity_type")), organisation, parties)
    except NoIdentity as missing:
        raise _Refused(missing.name, str(missing), missing.code) from None
