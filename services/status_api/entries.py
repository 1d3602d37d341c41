"""The read model's lines, as pure data: what a status event or a refusal becomes in its source's stream, and how a
batch of them is numbered.

Each source has one stream, numbered 1, 2, 3, ... in the order its lines were committed (``seq``), so "what is new
since N" never misses a line: a number is taken, together with the stream's counter, in the transaction that
stores the line.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from shared.contracts.refusals import SubmissionRefused
from shared.contracts.status import StatusCode, StatusEvent

Kind = Literal["status", "refused"]


@dataclass(frozen=True)
class Entry:
    """One line of a source's stream: a status of its message (``status``), or a submission under the message's id
    that intake refused while the message itself kept its status (``refused``)."""

    event_id: str
    source: str
    kind: Kind
    message_id: str | None
    dossier_item_id: str | None
    status_code: int
    status: str
    detail: str
    reason_code: str | None
    authority_status_code: str | None
    occurred_at: datetime

    @property
    def key(self) -> tuple[str, str]:
        """What makes a line unique: the event within its source. Not the event id alone: status events derive it
        from the message id, which is unique per source only."""
        return self.source, self.event_id


@dataclass(frozen=True)
class Numbered:
    """An entry with its place in its source's stream."""

    seq: int
    entry: Entry


def entry_of(event: StatusEvent | SubmissionRefused) -> Entry | None:
    """The line an event adds to its source's stream; None when it adds none (no source, or a refusal that
    messages.status already reports as the message's status 0)."""
    source = event.source
    if not source:
        return None
    if isinstance(event, StatusEvent):
        return _from_status(event, source)
    return None if _reported_as_status(event) else _from_refusal(event, source)


def _from_status(event: StatusEvent, source: str) -> Entry:
    return Entry(
        event_id=event.event_id,
        source=source,
        kind="status",
        message_id=event.message_id,
        dossier_item_id=event.dossier_item_id,
        status_code=int(event.status_code),
        status=event.status,
        detail=event.detail,
        reason_code=event.reason_code,
        authority_status_code=event.authority_status_code,
        occurred_at=event.occurred_at,
    )


def _from_refusal(event: SubmissionRefused, source: str) -> Entry:
    return Entry(
        event_id=event.event_id,
        source=source,
        kind="refused",
        message_id=event.message_id or None,
        dossier_item_id=None,
        status_code=int(StatusCode.REFUSED),
        status=StatusCode.REFUSED.label,
        detail=event.reason,
        reason_code=event.reason_code,
        authority_status_code=None,
        occurred_at=event.occurred_at,
    )


def _reported_as_status(event: SubmissionRefused) -> bool:
    # The refusals contract: a refused message that was never registered also gets its status 0 on messages.status,
    # with the same reason. Taking both would show that message refused twice.
    return bool(event.message_id) and not event.message_status_unchanged


def first_of_each(entries: Iterable[Entry]) -> list[Entry]:
    """The entries in order, an event seen before in the same batch (republished) left out."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for entry in entries:
        if entry.key not in seen:
            seen.add(entry.key)
            kept.append(entry)
    return kept


def numbered(entries: Iterable[Entry], last_seq: Mapping[str, int]) -> list[Numbered]:
    """The entries numbered on from each source's last number, in the order given."""
    next_seq = dict(last_seq)
    result = []
    for entry in entries:
        next_seq[entry.source] = next_seq.get(entry.source, 0) + 1
        result.append(Numbered(next_seq[entry.source], entry))
    return result
