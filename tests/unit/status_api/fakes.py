"""In-memory stand-ins for the status API's unit tests: the read model's tables (lines, counters, client keys)
behind every protocol of ``services.status_api.repository``, and the events the product publishes."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from aiokafka import ConsumerRecord
from pydantic import BaseModel

from services.status_api import keys
from services.status_api.entries import Numbered
from shared.contracts.refusals import SubmissionRefused
from shared.contracts.status import StatusCode, StatusEvent
from shared.topics import Topics
from tests.support.records import consumer_record
from tests.support.unit_of_work import InMemoryUnitOfWork, Tables

TOPICS = Topics()
T0 = datetime(2025, 2, 3, 9, 0, tzinfo=UTC)


@dataclass
class InMemoryStatusApi(Tables):
    """Behaves like the PostgreSQL read model: one stream per source, numbered from 1 without gaps."""

    lines: list[Numbered] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)

    def units_of_work(self):
        return lambda: InMemoryUnitOfWork(self, lambda tables: tables)

    def issue_key(self, source: str) -> str:
        key = keys.new_key(source)
        self.digests[source] = keys.digest(key)
        return key

    def stream(self, source: str) -> list[tuple[int, str]]:
        """A source's lines as (seq, event_id)."""
        return [(line.seq, line.entry.event_id) for line in self.lines if line.entry.source == source]

    # Lines

    async def lock_counters(self, sources: Sequence[str]) -> dict[str, int]:
        return {source: self.counters.get(source, 0) for source in sources}

    async def stored(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        return {line.entry.key for line in self.lines} & set(keys)

    async def add(self, lines: Sequence[Numbered]) -> None:
        for line in lines:
            assert line.seq == self.counters.get(line.entry.source, 0) + 1, "a gap or a repeat in the numbers"
            assert line.entry.key not in {old.entry.key for old in self.lines}, "(source, event_id) is unique"
            self.counters[line.entry.source] = line.seq
            self.lines.append(line)

    # Statuses

    async def of_message(
        self, source: str, message_id: str, since: datetime | None, until: datetime | None
    ) -> list[Numbered] | None:
        mine = [line for line in self.lines if (line.entry.source, line.entry.message_id) == (source, message_id)]
        if not mine:
            return None
        return [line for line in mine if _within(line.entry.occurred_at, since, until)]

    async def after(self, source: str, seq: int, limit: int) -> list[Numbered]:
        return [line for line in self.lines if line.entry.source == source and line.seq > seq][:limit]

    # Clients

    async def key_digest(self, source: str) -> str | None:
        return self.digests.get(source)


def _within(at: datetime, since: datetime | None, until: datetime | None) -> bool:
    return (since is None or at >= since) and (until is None or at < until)


def status(
    code: StatusCode, message_id: str = "afas-2025-000123", source: str = "afas-fin", minutes: int = 0, **fields
) -> StatusEvent:
    fields.setdefault("dossier_item_id", None if code in (StatusCode.REGISTERED, StatusCode.REFUSED) else "item-1")
    return StatusEvent.of(
        StatusCode(code), message_id=message_id, source=source, occurred_at=T0 + timedelta(minutes=minutes), **fields
    )


def refusal(offset: int = 118, **fields) -> SubmissionRefused:
    values = {
        "message_id": "afas-2025-000123",
        "source": "afas-fin",
        "reason_code": "message_id_reused",
        "reason": "message_id: 'afas-2025-000123' was already used by source 'afas-fin'",
        "content_sha256": "50d858e0985ecc7f60418aaf0cc5ab587f42c2570a884095a9e8ccacd0f6545c",
        "message_status_unchanged": True,
        "occurred_at": T0 + timedelta(hours=1),
    }
    return SubmissionRefused.of(
        original_topic="declarations.inbound", original_partition=0, original_offset=offset, **(values | fields)
    )


def record(event: BaseModel, *, partition: int = 0) -> ConsumerRecord:
    """The event as the read model receives it, on its topic, at a fresh offset."""
    topic = TOPICS.refused if isinstance(event, SubmissionRefused) else TOPICS.status
    key = getattr(event, "message_id", None) or "no-id"
    return consumer_record(topic, key, event.model_dump_json().encode(), partition=partition)
