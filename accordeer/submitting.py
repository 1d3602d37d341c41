"""`accordeer submit`: check declaration files, publish the new ones and wait for each message's outcome.

A message already taken in with the same content is a no-op for intake, which then says nothing at all; so it
is recognised here, by the fingerprint intake stored, and reported instead of waited for. A submission refused
under the id of a message already registered leaves that message's status alone: its refusal is read from
declarations.refused instead.
"""

import hashlib
from enum import IntEnum
from pathlib import Path

from accordeer.declaration_files import DeclarationFile, Wrapping, read_checked
from accordeer.kafka_io import follow_status, publish
from services.intake.domain import fingerprint
from shared.contracts.refusals import SubmissionRefused
from shared.contracts.status import StatusCode, StatusEvent
from shared.settings import Settings
from shared.topics import Topics

SETTLED = {
    StatusCode.REFUSED,
    StatusCode.IN_WORKFLOW,
    StatusCode.REJECTED,
    StatusCode.ACCEPTED_BY_AUTHORITY,
    StatusCode.DECLINED_BY_AUTHORITY,
}
STORED = "SELECT fingerprint FROM intake.declarations WHERE source = $1 AND message_id = $2"


class Result(IntEnum):
    """The exit code of a sending command."""

    DONE = 0
    REFUSED = 1
    TIMED_OUT = 3


async def submit_files(
    conn,
    settings: Settings,
    files: list[Path],
    *,
    wait: float | None,
    wrapping: Wrapping | None = None,
    source_topic: bool = False,
    say=print,
) -> Result:
    """``wait`` None: publish and return at once. ``source_topic``: each declaration on its source's own topic
    declarations.from.<source> (as that source's principal must in secure mode), else on declarations.inbound."""
    checked = [read_checked(path, wrapping, max_bytes=settings.max_message_bytes) for path in files]
    if problems := [c for c in checked if isinstance(c, str)]:
        for problem in problems:
            say(problem)
        say("nothing was published")
        return Result.REFUSED
    readable = [c for c in checked if not isinstance(c, str)]  # all of them: a problem stopped it above
    new = [f for f in readable if not await _taken_in(conn, f, say)]
    if not new:
        return Result.DONE
    by_topic = _by_topic(settings.topics, new, source_topic)
    where = ", ".join(by_topic)
    if wait is None:
        await _publish(settings, by_topic)
        say(f"published {len(new)} declaration(s) to {where}; not waiting for their outcome")
        return Result.DONE
    ours = {hashlib.sha256(raw).hexdigest() for records in by_topic.values() for _, raw in records}
    async with follow_status(
        settings.kafka_bootstrap_servers, settings.topics.status, also={settings.topics.refused: SubmissionRefused}
    ) as follower:
        await _publish(settings, by_topic)
        say(f"published {len(new)} declaration(s) to {where}; waiting up to {wait:.0f}s for their outcome")
        return await _outcomes(follower.events(wait), {f.declaration.message_id for f in new}, ours, say)


def _by_topic(topics: Topics, files: list[DeclarationFile], source_topic: bool) -> dict[str, list]:
    by_topic: dict[str, list] = {}
    for f in files:
        topic = topics.inbound_from(f.declaration.source) if source_topic else topics.inbound
        by_topic.setdefault(topic, []).append((f.declaration.message_id, f.raw))
    return by_topic


async def _publish(settings: Settings, by_topic: dict[str, list]) -> None:
    for topic, records in by_topic.items():
        await publish(settings.kafka_bootstrap_servers, topic, records)


async def _taken_in(conn, file: DeclarationFile, say) -> bool:
    stored = await conn.fetchval(STORED, *file.key)
    if stored is not None and stored == fingerprint(file.declaration):
        say(f"{file.declaration.message_id}: already taken in with the same content; nothing to do")
        return True
    return False


async def _outcomes(events, waiting: set[str], ours: set[str], say) -> Result:
    refused = False
    async for event in events:
        if event.message_id not in waiting:
            continue
        if isinstance(event, SubmissionRefused):
            # Only a refusal that leaves a registered message alone; any other also comes as status 0.
            if event.message_status_unchanged and event.content_sha256 in ours:
                say(
                    f"{event.message_id}: refused ({event.reason_code}) — {event.reason}; the message registered "
                    "under this id keeps its own status"
                )
                refused = True
                waiting.discard(event.message_id)
            if not waiting:
                break
            continue
        say(_line(event))
        refused = refused or event.status_code == StatusCode.REFUSED
        if event.status_code in SETTLED and (event.dossier_item_id or event.status_code == StatusCode.REFUSED):
            waiting.discard(event.message_id)
        if not waiting:
            break
    if waiting:
        say(f"no outcome yet for: {', '.join(sorted(waiting))} (try a longer --wait, or `accordeer status`)")
        return Result.TIMED_OUT
    return Result.REFUSED if refused else Result.DONE


def _line(event: StatusEvent) -> str:
    where = f" item {event.dossier_item_id}" if event.dossier_item_id else ""
    reason = f" ({event.reason_code})" if event.reason_code else ""
    return f"{event.message_id}{where}: {int(event.status_code)} {event.status}{reason} — {event.detail}"
