"""The inbound declaration, version 1: the JSON value external packages publish on ``declarations.inbound``.

Strict on purpose: unknown fields are refused, nothing is coerced ("1" is not 1,
1 is not "1"), timestamps must carry a timezone and base64 must decode. The
golden examples in ``examples/inbound_*.json`` are part of the contract.
"""

import base64
import binascii
import re
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    StringConstraints,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from shared.contracts.record import Record

EXAMPLES_DIR = Path(__file__).parent / "examples"

KNOWN_MESSAGE_TYPES = ("btw-aangifte", "btw-suppletieaangifte", "icp-aangifte", "loonheffing", "kvk-stukken")
"""The types the product routes out of the box. Not a closed list: integrators add types by configuration."""

MAX_DESTINATIONS = 500
MAX_MAP_ENTRIES = 200

_MESSAGE_TYPE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_MIME_TYPE = re.compile(r"[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*(?:\s*;\s*[\w.+-]+=[\w.+\"-]+)*", re.ASCII)
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})", re.ASCII)
_UNC_PART = r"[^\\/:*?\"<>|\x00-\x1f]+"
UNC_PATH = re.compile(rf"\\\\{_UNC_PART}(?:\\{_UNC_PART}){{2,}}")
"""``\\\\server\\share\\folder\\file.pdf``: server, share and at least one name below the share."""


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "must not be blank")
    return value


def _message_type(value: str) -> str:
    if not _MESSAGE_TYPE.fullmatch(value):
        raise PydanticCustomError(
            "message_type", "must contain only lowercase letters, digits and single hyphens, e.g. 'btw-aangifte'"
        )
    return value


def _file_name(value: str) -> str:
    if any(ch in value for ch in "\\/") or any(ord(ch) < 32 for ch in value):
        raise PydanticCustomError("file_name", "must be a bare file name, without folders or control characters")
    return value


def _mime_type(value: str) -> str:
    if not _MIME_TYPE.fullmatch(value):
        raise PydanticCustomError("mime_type", "must be a MIME type such as 'application/xml'")
    return value


def _base64(value: str) -> str:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise PydanticCustomError(
            "base64", "must be valid base64 (standard alphabet, padded, no line breaks)"
        ) from None
    return value


def _unc_path(value: str) -> str:
    if not UNC_PATH.fullmatch(value):
        raise PydanticCustomError("unc_path", "must be a UNC path such as \\\\server\\share\\folder\\file.pdf")
    return value


def _rfc3339(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise PydanticCustomError(
            "rfc3339", "must be an RFC 3339 timestamp with a timezone, e.g. '2025-01-31T10:00:00+01:00'"
        )
    try:
        parsed = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        raise PydanticCustomError("rfc3339", "is not a real date and time") from None
    return parsed


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise PydanticCustomError("rfc3339", "must carry a timezone, e.g. 'Z' or '+01:00'")
    return value


def _free_field_value(value: Any, handler: Any) -> Any:
    ok = isinstance(value, (str, int, float)) and not (isinstance(value, str) and len(value) > 4000)
    if not ok:
        raise PydanticCustomError("free_field", "must be a string (at most 4000 characters), a number or true/false")
    return handler(value)


def _one(value: Any) -> Any:
    if type(value) is not int:  # bool and float are not 1 here, whatever Python's == says
        raise PydanticCustomError("schema_version", "must be the number 1")
    return value


_NotBlank = AfterValidator(_not_blank)
Id = Annotated[str, StringConstraints(min_length=1, max_length=100), _NotBlank]
MapKey = Annotated[str, StringConstraints(min_length=1, max_length=100), _NotBlank]
Subject = Annotated[str, StringConstraints(min_length=1, max_length=255), _NotBlank]
MessageType = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_message_type)]
FileName = Annotated[str, StringConstraints(min_length=1, max_length=255), _NotBlank, AfterValidator(_file_name)]
MimeType = Annotated[str, StringConstraints(min_length=1, max_length=127), AfterValidator(_mime_type)]
UncPath = Annotated[str, StringConstraints(min_length=1, max_length=1024), AfterValidator(_unc_path)]
Base64 = Annotated[str, StringConstraints(min_length=1), AfterValidator(_base64)]
Timestamp = Annotated[datetime, BeforeValidator(_rfc3339), AfterValidator(_aware)]
FreeFieldValue = Annotated[str | bool | int | float, WrapValidator(_free_field_value)]


class _Contract(Record):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class Destination(_Contract):
    """An organisation/person, optionally one of its contacts. No other kind of reference exists."""

    organisation_person_id: Id
    contact_id: Id | None = None


class Identity(_Contract):
    """identiteitBelanghebbende: whom the declaration is about, e.g. ``{"number": "001234567B01", "type": "Fi"}``."""

    number: Annotated[str, StringConstraints(min_length=1, max_length=64), _NotBlank]
    type: Annotated[str, StringConstraints(min_length=1, max_length=16), _NotBlank]


class Document(_Contract):
    """The declaration itself (XBRL/XML), inline."""

    file_name: FileName
    mime_type: MimeType
    content_base64: Base64


class Attachment(_Contract):
    """At most one attachment: a UNC file location or inline content, exactly one of the two."""

    file_name: FileName
    location: UncPath | None = None
    content_base64: Base64 | None = None

    @model_validator(mode="after")
    def _exactly_one_source(self) -> "Attachment":
        if (self.location is None) == (self.content_base64 is None):
            raise PydanticCustomError("attachment_source", "give exactly one of 'location' or 'content_base64'")
        return self


class InboundDeclaration(_Contract):
    """One declaration for one or more destinations; becomes one dossier item per destination."""

    schema_version: Annotated[Literal[1], BeforeValidator(_one)]
    message_id: Id = Field(description="Unique per source; the idempotency key.")
    source: Id = Field(description="The external package's id, e.g. 'nmbrs'.")
    message_type: MessageType
    submitter: Id | None = Field(default=None, description="Defaults to the source's service user.")
    submitted_at: Timestamp | None = Field(default=None, description="Defaults to the time of intake.")
    subject: Subject
    destinations: list[Destination] = Field(min_length=1, max_length=MAX_DESTINATIONS)
    identity: Identity
    document: Document
    attachment: Attachment | None = None
    characteristics: dict[MapKey, Annotated[str, StringConstraints(max_length=1000)]] | None = Field(
        default=None, max_length=MAX_MAP_ENTRIES
    )
    free_fields: dict[MapKey, FreeFieldValue] | None = Field(default=None, max_length=MAX_MAP_ENTRIES)
    delivery_method_choice: JsonValue = Field(
        default=None,
        description=(
            "'Keuze verstrekkingswijze': accepted in any form and then ignored."
            " It produces no outgoing mail or documents and is not stored on the dossier item."
        ),
    )
