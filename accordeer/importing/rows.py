"""One row of an import file and its documents → one inbound declaration (version 1), or the row's refusal.

Only what the file itself decides is checked here (columns, dates, file names); the
rules intake enforces are left to intake's own code (checks.py).
"""

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from accordeer.importing.cells import CellProblem, characteristic, code, free_value, instant, moment, words
from accordeer.importing.columns import Columns
from accordeer.importing.derived import NoIdentity, identity_of, message_id_of
from accordeer.importing.documents import FileProblem, NamesPerDestination, attachment_of, document_path, mime_type
from accordeer.importing.phrases import Phrase
from services.intake.domain import ACCORDERINGSBERICHT
from shared.contracts.directory import Party, normalised_number

T = TypeVar("T")
_NOT_MEANING = ("item_type", "document", "submitted_at", "identity_number", "identity_type")


@dataclass(frozen=True)
class RowRefusal:
    row: int
    column: str
    reason: Phrase
    code: str = "import_file"


@dataclass(frozen=True)
class Prepared:
    row: int
    message_id: str
    value: bytes
    """The declaration's JSON, as it will be published."""
    fields: dict[str, str] = field(default_factory=dict)
    """The row's own values by field, as read: what a refusal names."""
    document_key: tuple[str, str, str] = ("", "", "")
    """(destination, message type, SHA-256 of the document): the same document filed twice under two identities."""


@dataclass
class Setup:
    """What every row of one import shares."""

    source: str
    documents: Path
    shares: dict[str, Path] = field(default_factory=dict)
    submitter: str | None = None
    parties: Mapping[str, Party] = field(default_factory=dict)
    names: NamesPerDestination = field(default_factory=NamesPerDestination)
    allow_same_document: bool = False
    """Rows whose document another row or dossier item already has are new declarations after all."""


class _Refused(Exception):
    def __init__(self, name: str, reason: Phrase, code: str = "import_file"):
        super().__init__(reason.en)
        self.name, self.reason, self.code = name, reason, code


def prepare_row(number: int, cells: list[Any], columns: Columns, setup: Setup) -> Prepared | RowRefusal:
    values = {name: cells[index] for index, name in columns.fields.items()}
    try:
        return _prepare(number, values, cells, columns, setup)
    except _Refused as refused:
        return RowRefusal(number, columns.header_of(refused.name), refused.reason, refused.code)


def _prepare(number: int, values: dict[str, Any], cells: list[Any], columns: Columns, setup: Setup) -> Prepared:
    fields = {name: words(value) if name == "subject" else code(value) for name, value in values.items()}
    item_type = fields.get("item_type", "")
    if item_type and item_type.lower() != ACCORDERINGSBERICHT.lower():
        raise _Refused(
            "item_type",
            Phrase(
                f"{item_type!r}: één import bevat één type dossieritem, en dat is {ACCORDERINGSBERICHT}; importeer"
                " andere typen apart",
                f"{item_type!r}: one import holds one dossier item type, and it is"
                f" {ACCORDERINGSBERICHT}; import other types separately",
            ),
            "item_type",
        )
    organisation = fields.get("organisation_person_id", "")
    if not organisation:
        raise _Refused(
            "organisation_person_id",
            Phrase(
                "geef het organisatie/persoonnummer van de bestemming",
                "give the organisation/person number of the destination",
            ),
        )
    path = _file(lambda: document_path(fields.get("document", ""), organisation, setup.documents), "document")
    _file(lambda: setup.names.claim(organisation, path.name, number), "document")
    content = path.read_bytes()
    maps = _maps(cells, columns)
    declaration = {
        "schema_version": 1,
        "source": setup.source,
        "message_type": fields.get("message_type", ""),
        "subject": fields.get("subject", ""),
        "destinations": [
            {"organisation_person_id": organisation} | ({"contact_id": c} if (c := fields.get("contact_id")) else {})
        ],
        "identity": _identity(fields, organisation, setup.parties),
        "document": {
            "file_name": path.name,
            "mime_type": mime_type(path.name),
            "content_base64": base64.b64encode(content).decode(),
        },
        **_optional(values, fields, setup, organisation, number),
        **maps,
    }
    document = hashlib.sha256(content).hexdigest()
    message_id = message_id_of(_meaning(values, fields, declaration["identity"], maps, document))
    return Prepared(
        number,
        message_id,
        json.dumps({"message_id": message_id, **declaration}).encode(),
        fields,
        (organisation, declaration["message_type"], document),
    )


def _meaning(
    values: dict[str, Any], fields: dict[str, str], identity: dict[str, str], maps: dict[str, Any], document: str
) -> dict[str, Any]:
    """What identifies the row: its values as they mean (a date as the instant, not its notation), by field rather
    than by header, the identity it is filed under (typed or from the directory), and its document's bytes rather
    than its name. The item type is one per import, so no part of it."""
    meaning: dict[str, Any] = {name: value for name, value in fields.items() if value and name not in _NOT_MEANING}
    if fields.get("submitted_at"):
        meaning["submitted_at"] = instant(values["submitted_at"])
    return (
        meaning
        | maps
        | {"identity": [normalised_number(identity["number"]), identity["type"].upper()], "document": document}
    )


def _optional(
    values: dict[str, Any], fields: dict[str, str], setup: Setup, organisation: str, number: int
) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if submitter := fields.get("submitter") or setup.submitter:
        found["submitter"] = submitter
    if fields.get("submitted_at"):
        try:
            found["submitted_at"] = moment(values["submitted_at"]).isoformat()
        except CellProblem as problem:
            raise _Refused("submitted_at", problem.phrase) from None
    if location := fields.get("attachment"):
        attachment = _file(lambda: attachment_of(location, setup.shares), "attachment")
        _file(lambda: setup.names.claim(organisation, attachment["file_name"], number), "attachment")
        found["attachment"] = attachment
    return found


def _maps(cells: list[Any], columns: Columns) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for index, (kind, key) in columns.maps.items():
        if words(cells[index]):
            read = characteristic if kind == "characteristic" else free_value
            found.setdefault(f"{kind}s", {})[key] = read(cells[index])
    return found


def _file(check: Callable[[], T], name: str) -> T:
    try:
        return check()
    except FileProblem as problem:
        raise _Refused(name, problem.phrase) from None


def _identity(fields: dict[str, str], organisation: str, parties: Mapping[str, Party]) -> dict[str, str]:
    try:
        return identity_of(
            fields.get("message_type", ""),
            fields.get("identity_number", ""),
            fields.get("identity_type", ""),
            organisation,
            parties,
        )
    except NoIdentity as missing:
        raise _Refused(missing.name, missing.phrase, missing.code) from None
