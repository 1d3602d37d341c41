"""`accordeer submit`: publish declaration files and, when asked, wait for each message's outcome."""

import base64
import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from accordeer.kafka_io import follow_status, publish
from shared.contracts.status import StatusCode
from shared.settings import Settings

SETTLED = {StatusCode.REFUSED, StatusCode.IN_WORKFLOW, StatusCode.REJECTED, StatusCode.ACCEPTED_BY_AUTHORITY,
           StatusCode.DECLINED_BY_AUTHORITY}


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
        missing = [f"--{name.replace('_', '-')}" for name in ("source", "message_type", "subject", "identity")
                   if not getattr(self, name)] + ([] if self.destinations else ["--destination"])
        if missing:
            raise ValueError(f"{path.name} is XML: give {', '.join(missing)} to wrap it in a declaration")
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
            "document": {"file_name": path.name, "mime_type": "application/xml",
                         "content_base64": base64.b64encode(path.read_bytes()).decode()},
        }
        if self.submitter:
            document["submitter"] = self.submitter
        return document


def _destination(text: str) -> dict:
    organisation, _, contact = text.partition(":")
    return {"organisation_person_id": organisation, **({"contact_id": contact} if contact else {})}


def read_declaration(path: Path, wrapping: Wrapping | None = None) -> tuple[str | None, bytes]:
    """A JSON file's bytes as they are (so a bad file shows intake's refusal), keyed by its message_id if
    readable; an XML/XBRL file wrapped in a declaration from ``wrapping``."""
    if path.suffix.lower() in XML_SUFFIXES:
        document = (wrapping or Wrapping()).wrap(path)
        return document["message_id"], json.dumps(document).encode()
    raw = path.read_bytes()
    try:
        message_id = json.loads(raw).get("message_id")
    except (ValueError, AttributeError):
        message_id = None
    return (message_id if isinstance(message_id, str) else None), raw


async def submit_files(settings: Settings, files: list[Path], *, wait: float, wrapping: Wrapping | None = None,
                       say=print) -> bool:
    records = [read_declaration(path, wrapping) for path in files]
    if not wait:
        await publish(settings.kafka_bootstrap_servers, settings.topics.inbound, records)
        say(f"published {len(records)} declaration(s) to {settings.topics.inbound}")
        return True
    waiting = {key for key, _ in records if key}
    refused = False
    async with follow_status(settings.kafka_bootstrap_servers, settings.topics.status) as follower:
        await publish(settings.kafka_bootstrap_servers, settings.topics.inbound, records)
        say(f"published {len(records)} declaration(s); waiting up to {wait:.0f}s for their outcome")
        async for event in follower.events(wait):
            if event.message_id not in waiting:
                continue
            where = f" item {event.dossier_item_id}" if event.dossier_item_id else ""
            reason = f" ({event.reason_code})" if event.reason_code else ""
            say(f"{event.message_id}{where}: {int(event.status_code)} {event.status}{reason} — {event.detail}")
            if event.status_code == StatusCode.REFUSED:
                refused = True
            if event.status_code in SETTLED and (event.dossier_item_id or event.status_code == StatusCode.REFUSED):
                waiting.discard(event.message_id)
            if not waiting:
                break
    if waiting:
        say(f"no outcome yet for: {', '.join(sorted(waiting))}")
    return not refused and not waiting
