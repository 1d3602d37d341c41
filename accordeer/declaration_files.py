"""Declaration files as `accordeer submit` reads them: JSON as it is, XBRL/XML wrapped from the command line's
fields, each checked here as intake would parse it, so a file that is not a declaration is never sent."""

import base64
import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from services.intake.domain import Declaration, Refusal, parse_declaration

XML_SUFFIXES = {".xml", ".xbrl"}


@dataclass(frozen=True)
class Wrapping:
    """The fields around an XBRL/XML file given on the command line (contract version 1)."""

    source: str | None = None
    message_type: str | None = None
    subject: str | None = None
    destinations: tuple[str, ...] = ()
    identity: str | None = None
    message_id: str | None = None
    submitter: str | None = None

    def wrap(self, path: Path) -> dict:
        missing = [
            f"--{name.replace('_', '-')}"
            for name in ("source", "message_type", "subject", "identity")
            if not getattr(self, name)
        ] + ([] if self.destinations else ["--destination"])
        if missing:
            raise ValueError(f"{path.name} is XML: give {', '.join(missing)} to wrap it in a declaration")
        assert self.identity is not None, "--identity is among the options required just above"
        number, _, kind = self.identity.rpartition(":")
        if not number:
            raise ValueError("--identity is NUMBER:TYPE, e.g. NL001234567B01:BTW")
        document = {
            "schema_version": 1,
            "message_id": self.message_id or f"{path.stem}-{uuid.uuid4().hex[:12]}",
            "source": self.source,
            "message_type": self.message_type,
            "subject": self.subject,
            "destinations": [_destination(d) for d in self.destinations],
            "identity": {"number": number, "type": kind},
            "document": {
                "file_name": path.name,
                "mime_type": "application/xml",
                "content_base64": base64.b64encode(path.read_bytes()).decode(),
            },
        }
        if self.submitter:
            document["submitter"] = self.submitter
        return document


def _destination(text: str) -> dict:
    organisation, _, contact = text.partition(":")
    return {"organisation_person_id": organisation, **({"contact_id": contact} if contact else {})}


def file_bytes(path: Path, wrapping: Wrapping | None = None) -> bytes:
    """A JSON file's bytes as they are; an XML/XBRL file wrapped in a declaration from ``wrapping``."""
    if path.suffix.lower() in XML_SUFFIXES:
        return json.dumps((wrapping or Wrapping()).wrap(path)).encode()
    return path.read_bytes()


@dataclass(frozen=True)
class DeclarationFile:
    path: Path
    raw: bytes
    declaration: Declaration

    @property
    def key(self) -> tuple[str, str]:
        return self.declaration.source, self.declaration.message_id


def read_checked(path: Path, wrapping: Wrapping | None, *, max_bytes: int) -> DeclarationFile | str:
    """The file as a declaration, or the sentence saying why intake would refuse it."""
    raw = file_bytes(path, wrapping)
    parsed = parse_declaration(raw, max_bytes=max_bytes)
    if isinstance(parsed, Refusal):
        return f"{path}: not a declaration ({parsed.reason_code}): {parsed.message}"
    return DeclarationFile(path, raw, parsed)
