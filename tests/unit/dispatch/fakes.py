"""In-memory stand-ins for dispatch's unit tests: the deliveries table with its leases, the breaker's record, a
hand-moved clock, approved messages and the trails the mock gateway would show."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace

from services.dispatch.breaker_record import BreakerState
from services.dispatch.domain import GatewayStatus
from services.dispatch.repository import Delivery, NewDelivery, Sent
from shared.contracts.approved import MessageApproved
from shared.contracts.status import StatusCode, StatusEvent
from tests.support.clock import FakeClock
from tests.support.unit_of_work import InMemoryUnitOfWork, Tables

LONG_AGO = datetime.min.replace(tzinfo=UTC)


@dataclass
class Row:
    new: NewDelivery
    state: str = "to_send"
    attempts: int = 0
    status_code: int = int(StatusCode.PREPARED_FOR_SENDING)
    kenmerk: str | None = None
    next_at: datetime = LONG_AGO
    last_error: str | None = None
    next_poll_at: datetime | None = None
    sent_at: datetime | None = None
    polls: int = 0
    unknown_polls: int = 0
    gateway_code: str | None = None
    attempt: int = 1
    aanleverkenmerk: str = ""
    previous_aanleverkenmerk: str | None = None


@dataclass
class InMemoryDeliveries(Tables):
    """Behaves like `PostgresDeliveries` (leases, fencing on the lease, statuses reported once) and holds its rows:
    both the tables of an in-memory unit of work and the repository on them."""

    clock: FakeClock = field(default_factory=FakeClock)
    rows: dict[str, Row] = field(default_factory=dict)
    seen: set[tuple[str, str, str]] = field(default_factory=set)
    claims: int = 0
    sent_writes: list[int] = field(default_factory=list)
    """How many deliveries each mark_sent stored at once."""
    kept_across_rollback = ("clock",)

    def units_of_work(self):
        return lambda: InMemoryUnitOfWork(self, lambda tables: tables)

    @property
    def events(self) -> list[StatusEvent]:
        """What was reported on messages.status, in order."""
        return [StatusEvent.model_validate_json(r.value) for r in self.outbox if r.topic == "messages.status"]

    @property
    def dead_letters(self) -> list:
        return [r for r in self.outbox if r.topic.endswith(".dlq")]

    async def add(self, deliveries) -> int:
        added = 0
        for new in deliveries:
            if new.dossier_item_id not in self.rows:
                self.rows[new.dossier_item_id] = Row(new, next_at=self.clock(), aanleverkenmerk=new.aanleverkenmerk)
                added += 1
        return added

    async def claim(self, *, limit, lease) -> list[Delivery]:
        self.claims += 1
        due = sorted(
            (r for r in self.rows.values() if r.state == "to_send" and r.next_at <= self.clock()),
            key=lambda r: r.next_at,
        )[:limit]
        for row in due:
            row.next_at = self.clock() + lease
        return [self._delivery(row) for row in due]

    async def next_poll_at(self):
        return min((r.next_poll_at for r in self.rows.values() if r.state == "sent"), default=None)

    async def next_attempt_at(self):
        return min((r.next_at for r in self.rows.values() if r.state == "to_send"), default=None)

    async def claim_polls(self, *, limit, lease) -> list[Sent]:
        self.claims += 1
        due = sorted(
            (
                (r.next_poll_at, r)
                for r in self.rows.values()
                # as in SQL, a row without a poll time is never due (mark_sent gives every sent row one)
                if r.state == "sent" and r.next_poll_at is not None and r.next_poll_at <= self.clock()
            ),
            key=lambda poll: poll[0],
        )[:limit]
        for _, row in due:
            row.next_poll_at = self.clock() + lease
        return [self._sent(row) for _, row in due]

    async def mark_sent(self, sent) -> set[str]:
        stored = set()
        for s in sent:
            row = self.rows[s.delivery.dossier_item_id]
            if self._update(
                s.delivery,
                state="sent",
                kenmerk=s.kenmerk,
                status_code=60,
                attempts=row.attempts + 1,
                next_poll_at=s.poll_at,
                last_error=None,
                sent_at=row.sent_at or self.clock(),
                polls=0,
                unknown_polls=0,
            ):
                stored.add(s.delivery.dossier_item_id)
        self.sent_writes.append(len(sent))
        return stored

    async def mark_failed(self, delivery, *, gateway_code, error) -> bool:
        return self._update(delivery, state="failed", status_code=70, gateway_code=gateway_code, last_error=error)

    async def release_polls(self, polls, *, at) -> None:
        for sent in polls:
            row = self.rows[sent.dossier_item_id]
            if row.next_poll_at == sent.leased_until:
                row.next_poll_at = at

    async def record_unknown(self, unknown) -> None:
        for u in unknown:
            row = self.rows[u.sent.dossier_item_id]
            if row.state != "sent" or row.next_poll_at != u.sent.leased_until:
                continue
            row.polls += 1
            if u.redeliver:
                row.state, row.unknown_polls, row.next_at, row.next_poll_at = "to_send", 0, self.clock(), None
            else:
                row.unknown_polls += 1
                row.next_poll_at = u.next_poll_at

    def resend(self, dossier_item_id: str, aanleverkenmerk: str) -> None:
        """What `accordeer resend` does to a failed delivery: a new attempt, due now."""
        row = self.rows[dossier_item_id]
        assert row.state == "failed"
        row.attempt += 1
        row.previous_aanleverkenmerk, row.aanleverkenmerk = row.aanleverkenmerk, aanleverkenmerk
        row.state, row.kenmerk, row.next_at, row.attempts, row.sent_at = "to_send", None, self.clock(), 0, None

    async def mark_retry(self, delivery, *, error, retry_at, count_attempt) -> bool:
        return self._update(
            delivery,
            status_code=70,
            last_error=error,
            next_at=retry_at,
            attempts=self.rows[delivery.dossier_item_id].attempts + int(count_attempt),
        )

    async def release(self, deliveries, *, at) -> None:
        for delivery in deliveries:
            row = self.rows[delivery.dossier_item_id]
            if row.next_at == delivery.leased_until:
                row.next_at = at

    async def record_trails(self, polled, progress) -> list[StatusEvent]:
        events = []
        for delivery, trail in polled:
            row = self.rows[delivery.dossier_item_id]
            if row.state != "sent" or row.next_poll_at != delivery.leased_until:
                continue
            fresh = []
            for status in trail:
                key = (delivery.kenmerk, str(status.code), status.timestamp)
                if key not in self.seen:
                    self.seen.add(key)
                    fresh.append(status)
            result = progress(delivery, fresh)
            events += result.events
            row.status_code, row.state, row.next_poll_at = int(result.status_code), result.state, result.next_poll_at
            row.gateway_code = result.gateway_code or row.gateway_code
            row.last_error = result.error or row.last_error
            row.polls += 1
            row.unknown_polls = 0
        return events

    # -- for the tests -------------------------------------------------------------------------------------------

    def codes(self, dossier_item_id: str) -> list[int]:
        return [int(e.status_code) for e in self.events if e.dossier_item_id == dossier_item_id]

    def _update(self, delivery: Delivery, **changes) -> bool:
        row = self.rows[delivery.dossier_item_id]
        if row.state != "to_send" or row.next_at != delivery.leased_until:
            return False
        for name, value in changes.items():
            setattr(row, name, value)
        return True

    def _delivery(self, row: Row) -> Delivery:
        return Delivery(
            dossier_item_id=row.new.dossier_item_id,
            message_id=row.new.message_id,
            source=row.new.source,
            aanleverkenmerk=row.aanleverkenmerk,
            message=row.new.message,
            attempts=row.attempts,
            status_code=row.status_code,
            kenmerk=row.kenmerk,
            leased_until=row.next_at,
            attempt=row.attempt,
            previous_aanleverkenmerk=row.previous_aanleverkenmerk,
        )

    def _sent(self, row: Row) -> Sent:
        assert row.kenmerk is not None and row.sent_at is not None and row.next_poll_at is not None, (
            f"{row.new.dossier_item_id}: mark_sent stores a sent row's kenmerk, sent_at and next poll"
        )
        return Sent(
            dossier_item_id=row.new.dossier_item_id,
            message_id=row.new.message_id,
            source=row.new.source,
            aanleverkenmerk=row.aanleverkenmerk,
            kenmerk=row.kenmerk,
            status_code=row.status_code,
            gateway_code=row.gateway_code,
            polls=row.polls,
            unknown_polls=row.unknown_polls,
            sent_at=row.sent_at,
            leased_until=row.next_poll_at,
        )


@dataclass
class InMemoryBreakerStates:
    """Behaves like `PostgresBreakerStates`: one row per process; ``saved`` keeps every write, ``down`` fails them."""

    rows: dict[str, BreakerState] = field(default_factory=dict)
    saved: list[BreakerState] = field(default_factory=list)
    down: bool = False

    async def save(self, process: str, state: BreakerState) -> None:
        if self.down:
            raise ConnectionError("database unreachable")
        self.rows[process] = state
        self.saved.append(state)

    async def forget(self, process: str) -> None:
        self.rows.pop(process, None)


def approved(n: int = 1, **changes) -> MessageApproved:
    fields = {
        "dossier_item_id": str(uuid.UUID(int=n)),
        "message_id": f"msg-{n}",
        "source": "afas-fin",
        "message_type": "btw-aangifte",
        "identity": {"number": "NL001234567B01", "type": "BTW"},
        "document": {
            "file_name": "ob-2025-01.xbrl",
            "mime_type": "application/xml",
            "content_base64": "PGFhbmdpZnRlLz4=",
        },
        "approved_by": "klant",
        "approved_at": "2026-01-05T09:00:00Z",
    }
    return MessageApproved.model_validate({**fields, **changes})


def record(message: MessageApproved | bytes, offset: int = 0) -> SimpleNamespace:
    value = message if isinstance(message, bytes) else message.model_dump_json().encode()
    return SimpleNamespace(
        topic="messages.approved", partition=0, offset=offset, value=value, key=None, timestamp=1767603600000
    )


def trail(*codes: int, error_code: str | None = None) -> list[GatewayStatus]:
    return [
        GatewayStatus(
            code=code,
            description=f"status {code}",
            timestamp=f"2026-01-05T09:00:0{i}Z",
            error_code=error_code if i == len(codes) - 1 else None,
        )
        for i, code in enumerate(codes)
    ]
