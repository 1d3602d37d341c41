"""`accordeer submit`: publish declaration files and, when asked, wait for each message's outcome."""

import json
from pathlib import Path

from accordeer.kafka_io import follow_status, publish
from shared.contracts.status import StatusCode
from shared.settings import Settings

SETTLED = {StatusCode.REFUSED, StatusCode.IN_WORKFLOW, StatusCode.REJECTED, StatusCode.ACCEPTED_BY_AUTHORITY,
           StatusCode.DECLINED_BY_AUTHORITY}


def read_declaration(path: Path) -> tuple[str | None, bytes]:
    """The file's bytes as they are (so a bad file shows intake's refusal), keyed by its message_id if readable."""
    raw = path.read_bytes()
    try:
        message_id = json.loads(raw).get("message_id")
    except (ValueError, AttributeError):
        message_id = None
    return (message_id if isinstance(message_id, str) else None), raw


async def submit_files(settings: Settings, files: list[Path], *, wait: float, say=print) -> bool:
    records = [read_declaration(path) for path in files]
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
