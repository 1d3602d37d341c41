"""Intake's use case: a batch of inbound records becomes dossier items, no-ops, or refusals, in one transaction.

Per record: parse → origin (a per-source topic names the source) → reuse check →
import rules. Accepted declarations are stored with their items, and status 10 (per message), 20 (per item) and the
items on dossier.items leave through the outbox. Every refusal goes to the
dead-letter topic with the reason and the original coordinates, and to
declarations.refused for its sender. Only a message never registered gets the
"Refused" status (0) on messages.status: a later submission under the id of a
registered message must not change what that message shows, nor may an impersonation (``source_mismatch``: a
body naming another source on a per-source topic) touch the named source's messages. A batch is one
transaction: either all of it is applied, or none and it is retried.
"""

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog
from aiokafka import ConsumerRecord

from services.intake.domain import (
    Authorisations,
    Declaration,
    DossierItem,
    DossierItemType,
    ReasonCode,
    Refusal,
    accept_declaration,
    check_origin,
    check_reuse,
    fingerprint,
    parse_declaration,
)
from services.intake.repository import DeclarationRow, IntakeRepository
from shared import dead_letters, metrics
from shared.contracts.directory import Party
from shared.contracts.items import DossierItemCreated
from shared.contracts.refusals import SubmissionRefused
from shared.contracts.setup import SetupOutcome
from shared.contracts.status import StatusCode, StatusEvent
from shared.db.outbox import OutboxRecord
from shared.db.unit_of_work import UnitOfWork
from shared.dead_letters import dead_letter
from shared.documents.config import SummaryConfig
from shared.item_type import FILE as ITEM_TYPE_FILE
from shared.item_type import parse as parse_item_type
from shared.reports import cause_of, refusal_records, status_records
from shared.topics import Topics

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Judging:
    """What a batch's declarations are judged against, read once per batch."""

    seen: dict[tuple[str, str], str]
    authorisations: Authorisations
    item_type: DossierItemType
    parties: dict[str, Party]
    now: datetime


@dataclass
class BatchPlan:
    """What one batch amounts to, before anything is written."""

    declarations: list[DeclarationRow] = field(default_factory=list)
    items: list[DossierItem] = field(default_factory=list)
    events: list[OutboxRecord] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    duplicates: int = 0


class Intake:
    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork[IntakeRepository]],
        topics: Topics,
        *,
        max_bytes: int,
        clock_skew: timedelta,
        summaries: SummaryConfig | None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.unit_of_work = unit_of_work
        self.topics = topics
        self.max_bytes = max_bytes
        self.clock_skew = clock_skew
        self.summaries = summaries
        self.clock = clock

    async def take_in(self, records: Sequence[ConsumerRecord]) -> None:
        async with self.unit_of_work() as uow:
            fresh = await uow.claim(records)
            if not fresh:
                return
            published = [r for r in fresh if r.topic == self.topics.setup_outcomes]
            if published:  # first: a declaration in the same batch may have been sent after the publication
                uow.publish(await self._take_settings(uow.repository, published))
                fresh = [r for r in fresh if r.topic != self.topics.setup_outcomes]
            plan = await self.plan(uow.repository, fresh)
            await uow.repository.add(plan.declarations, plan.items)
            uow.publish(plan.events)
        # Counted after the commit: a batch rolled back and retried is counted once.
        metrics.DECLARATIONS_RECEIVED.inc(len(fresh))
        for reason in plan.refusals:
            metrics.DECLARATIONS_REFUSED.labels(reason=reason).inc()
        log.info(
            "intake batch applied",
            records=len(fresh),
            items=len(plan.items),
            refused=len(plan.refusals),
            duplicates=plan.duplicates,
        )

    async def _take_settings(self, repository: IntakeRepository, records: list[ConsumerRecord]) -> list[OutboxRecord]:
        """The item type's settings of each version published, in order (a version without them changes
        nothing); an outcome that cannot be read is a dead letter."""
        letters: list[OutboxRecord] = []
        for record in records:
            outcome = dead_letters.read_as(SetupOutcome, record, refused_by=self.topics.group("intake"))
            if isinstance(outcome, OutboxRecord):
                letters.append(outcome)
            elif outcome.published and ITEM_TYPE_FILE in outcome.files:
                settings = parse_item_type(outcome.files[ITEM_TYPE_FILE])  # workflow checked it when publishing
                await repository.save_item_type(DossierItemType(confidential=settings.confidential))
                log.info("item type settings of a published version", version=outcome.version, **settings.model_dump())
        return letters

    async def plan(self, repository: IntakeRepository, records: Sequence[ConsumerRecord]) -> BatchPlan:
        """What a batch amounts to, reading the repository but writing nothing."""
        authorisations = await repository.authorisations()
        item_type = await repository.item_type()
        parsed = [(record, self._parse(record)) for record in records]
        declarations = [d for _, d in parsed if isinstance(d, Declaration)]
        keys = {(d.source, d.message_id) for d in declarations}
        # Readable refusals too: one under the id of a registered message must leave that message's status alone.
        keys |= {(d.source, d.message_id) for _, d in parsed if isinstance(d, Refusal) and d.message_id and d.source}
        seen = await repository.fingerprints(keys)
        parties = await repository.parties({t.organisation_person_id for d in declarations for t in d.destinations})
        judging = Judging(seen, authorisations, item_type, parties, self.clock())
        plan = BatchPlan()
        for record, declaration in parsed:
            ids = _ids(record, declaration)
            with structlog.contextvars.bound_contextvars(**ids):
                self._decide(plan, record, declaration, judging)
        return plan

    def _parse(self, record: ConsumerRecord) -> Declaration | Refusal:
        parsed = parse_declaration(record.value or b"", max_bytes=self.max_bytes)
        return check_origin(parsed, topic=record.topic, topic_source=self.topics.source_of(record.topic))

    def _decide(
        self, plan: BatchPlan, record: ConsumerRecord, declaration: Declaration | Refusal, judging: Judging
    ) -> None:
        seen, item_type = judging.seen, judging.item_type
        if isinstance(declaration, Refusal):
            self._refuse(plan, record, declaration, judging)
            return
        key = (declaration.source, declaration.message_id)
        reuse = check_reuse(seen.get(key), declaration)
        if reuse == "duplicate":
            plan.duplicates += 1
            log.debug("declaration already stored with the same content; nothing to do")
            return
        if isinstance(reuse, Refusal):
            self._refuse(plan, record, reuse, judging)
            return
        items = accept_declaration(
            declaration,
            authorisations=judging.authorisations,
            item_type=item_type,
            parties=judging.parties,
            received_at=judging.now,
            clock_skew=self.clock_skew,
            summaries=self.summaries,
        )
        if isinstance(items, Refusal):
            self._refuse(plan, record, items, judging)
            return
        seen[key] = fingerprint(declaration)
        self._accept(plan, record, declaration, items, seen[key], judging.now)
        # DEBUG: one line per declaration costs a quarter of intake's throughput; refusals stay at WARNING.
        log.debug(
            "declaration accepted",
            message_type=declaration.message_type,
            confidential=item_type.confidential,
            dossier_item_ids=[i.id for i in items],
        )

    def _accept(
        self,
        plan: BatchPlan,
        record: ConsumerRecord,
        declaration: Declaration,
        items: list[DossierItem],
        print_: str,
        now: datetime,
    ) -> None:
        plan.declarations.append((declaration.source, declaration.message_id, print_, now, len(items)))
        plan.items.extend(items)
        cause = cause_of(record)
        plan.events += self._status(
            StatusCode.REGISTERED,
            declaration.message_id,
            declaration.source,
            None,
            now,
            cause=cause,
            detail=f"accepted; {len(items)} dossier item(s)",
        )
        for item in items:
            plan.events += self._status(
                StatusCode.PROCESSING,
                item.message_id,
                item.source,
                item.id,
                now,
                cause=cause,
                detail=f"dossier item for {item.organisation_person_id}",
            )
            plan.events.append(
                OutboxRecord.of(self.topics.dossier_items, item.id, _created(item), lane_key=item.message_id)
            )

    def _refuse(self, plan: BatchPlan, record: ConsumerRecord, refusal: Refusal, judging: Judging) -> None:
        plan.refusals.append(str(refusal.reason_code))
        # An impersonation names another source's message: that message's status is none of its business.
        impersonation = refusal.reason_code is ReasonCode.SOURCE_MISMATCH
        registered = impersonation or (refusal.source, refusal.message_id) in judging.seen
        log.warning(
            "declaration refused",
            reason_code=str(refusal.reason_code),
            reason=refusal.message,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            message_status_unchanged=registered,
        )
        plan.events.append(
            dead_letter(
                self.topics.inbound_dlq,
                record,
                reason_code=str(refusal.reason_code),
                reason=refusal.message,
                key=refusal.message_id,
            )
        )
        # Its sender reads the refusal on its own topic: the source whose topic it came from, else the registered
        # source the body names (on the shared inbound topic, which only the operator and the import may write).
        known = judging.authorisations.service_users
        sender = self.topics.source_of(record.topic) or (refusal.source if refusal.source in known else None)
        plan.events += refusal_records(self.topics, _refused(record, refusal, registered, judging.now), sender=sender)
        if refusal.message_id and refusal.source and not registered:
            plan.events += self._status(
                StatusCode.REFUSED,
                refusal.message_id,
                refusal.source,
                None,
                judging.now,
                cause=cause_of(record),
                registered=refusal.source in known,
                detail=refusal.message,
                reason_code=str(refusal.reason_code),
            )

    def _status(
        self,
        code: StatusCode,
        message_id: str,
        source: str,
        item_id: str | None,
        now: datetime,
        *,
        cause: str,
        registered: bool = True,
        **fields: object,
    ) -> list[OutboxRecord]:
        event = StatusEvent.of(
            code, message_id=message_id, source=source, dossier_item_id=item_id, occurred_at=now, cause=cause, **fields
        )
        return status_records(self.topics, event, registered=registered)


def _ids(record: ConsumerRecord, declaration: Declaration | Refusal) -> dict[str, str]:
    """What every log line about this record carries: its message id and source when they can be read."""
    message_id = getattr(declaration, "message_id", None)
    source = getattr(declaration, "source", None)
    ids = {"offset": f"{record.topic}[{record.partition}]@{record.offset}"}
    if message_id:
        ids["message_id"] = message_id
    if source:
        ids["source"] = source
    return ids


def _refused(record: ConsumerRecord, refusal: Refusal, registered: bool, now: datetime) -> SubmissionRefused:
    return SubmissionRefused.of(
        original_topic=record.topic,
        original_partition=record.partition,
        original_offset=record.offset,
        message_id=refusal.message_id,
        source=refusal.source,
        reason_code=str(refusal.reason_code),
        reason=refusal.message,
        content_sha256=hashlib.sha256(record.value or b"").hexdigest(),
        message_status_unchanged=registered,
        occurred_at=now,
    )


def _created(item: DossierItem) -> DossierItemCreated:
    return DossierItemCreated(
        dossier_item_id=item.id,
        item_type=item.item_type,
        message_id=item.message_id,
        source=item.source,
        message_type=item.message_type,
        submitter=item.submitter,
        submitted_at=item.submitted_at,
        subject=item.subject,
        organisation_person_id=item.organisation_person_id,
        contact_id=item.contact_id,
        identity=item.identity,
        document=item.document,
        attachment=item.attachment,
        characteristics=dict(item.characteristics),
        free_fields=dict(item.free_fields),
        confidential=item.confidential,
        summary=item.summary,
    )
