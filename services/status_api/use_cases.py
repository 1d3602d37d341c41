"""The status API's use cases: the read model fed from messages.status and declarations.refused, and the questions
a source asks of it.

A batch is applied in one unit of work: the inbox positions move with the lines stored, so a redelivered batch
adds nothing, and an event republished (same event_id, later offset) is recognised by its id. A record that does
not match its topic's contract goes to ``<topic>.dlq`` through the outbox, in that transaction.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog
from aiokafka import ConsumerRecord

from services.intake.domain import Authorisations
from services.status_api.cursors import cursor_of, seq_of
from services.status_api.entries import Entry, Numbered, entry_of, first_of_each, numbered
from services.status_api.repository import Lines, Statuses
from services.status_api.rights import SubmitRights, submit_rights
from shared import dead_letters
from shared.contracts.refusals import SubmissionRefused
from shared.contracts.status import StatusEvent
from shared.db.outbox import OutboxRecord
from shared.db.unit_of_work import UnitOfWork
from shared.topics import Topics

log = structlog.get_logger(__name__)


class StatusReadModel:
    def __init__(self, unit_of_work: Callable[[], UnitOfWork[Lines]], topics: Topics, consumer: str):
        self.unit_of_work = unit_of_work
        self.topics = topics
        self.consumer = consumer

    async def apply(self, records: Sequence[ConsumerRecord]) -> None:
        async with self.unit_of_work() as uow:
            fresh = await uow.claim(records)
            read = [self._read(record) for record in fresh]
            letters = [r for r in read if isinstance(r, OutboxRecord)]
            uow.publish(letters)
            entries = first_of_each(e for r in read if not isinstance(r, OutboxRecord) if (e := entry_of(r)))
            added = await _add(uow.repository, entries)
        # After the commit: a batch rolled back and retried is reported once.
        if fresh:
            log.info("statuses applied", records=len(fresh), added=len(added), dead_letters=len(letters))

    def _read(self, record: ConsumerRecord) -> StatusEvent | SubmissionRefused | OutboxRecord:
        if record.topic == self.topics.refused:
            return dead_letters.read_as(SubmissionRefused, record, refused_by=self.consumer)
        return dead_letters.read_as(StatusEvent, record, refused_by=self.consumer)


async def _add(lines: Lines, entries: list[Entry]) -> list[Numbered]:
    """Number and store the entries not stored before. The counters are locked before asking what is stored: an
    event republished into another partition is then either seen stored or still waiting for the lock."""
    if not entries:
        return []
    last = await lines.lock_counters([e.source for e in entries])
    stored = await lines.stored([e.key for e in entries])
    added = numbered((e for e in entries if e.key not in stored), last)
    await lines.add(added)
    return added


@dataclass(frozen=True)
class Page:
    lines: list[Numbered]
    next: str
    """The cursor to ask with next: the last line's, or the one asked with when there was none."""


class StatusQueries:
    """What a source may ask; ``source`` is always the caller's own, as its API key proved."""

    def __init__(self, statuses: Statuses, authorisations: Callable[[], Authorisations]):
        self.statuses = statuses
        self.authorisations = authorisations

    async def of_message(
        self, source: str, message_id: str, since: datetime | None = None, until: datetime | None = None
    ) -> list[Numbered] | None:
        """getStatussenProces: the message's statuses in [since, until); None for a message the source does not
        have, whether nobody has it or another source does."""
        return await self.statuses.of_message(source, message_id, since, until)

    async def after(self, source: str, cursor: str, limit: int) -> Page:
        """getNieuweStatussen: the lines after the cursor (BadCursor for one this API did not give out)."""
        lines = await self.statuses.after(source, seq_of(cursor), limit)
        return Page(lines, cursor_of(lines[-1].seq) if lines else cursor)

    def submit_rights(self, source: str) -> SubmitRights:
        return submit_rights(self.authorisations(), source)
