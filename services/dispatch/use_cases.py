"""Dispatch's use cases: take in approved messages, deliver due ones, follow the gateway's status trails.

The consumer only stores each approved message as a delivery (and then commits its offsets), so a slow
or failing gateway never holds a Kafka partition; a record it cannot read goes to the dead-letter topic.
Two loops work the deliveries: one keeps up to ``concurrency`` deliveries in flight, the other polls the
trails of sent ones in batches, each delivery on its own backing-off schedule. Both go through one circuit
breaker: while the gateway is down they claim nothing, and resume by themselves. A delivery that failed on
the way (refused by the gateway, 210/230/410, no final answer in time) stops at 70 until `accordeer resend`.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

import structlog
from aiokafka import ConsumerRecord

from services.dispatch import domain, figures
from services.dispatch.breaker import CircuitOpen, GatewayBreaker
from services.dispatch.config import GatewayConfig
from services.dispatch.domain import GatewayStatus, Polling
from services.dispatch.gateway import Gateway, PermanentGatewayError, TransientGatewayError
from services.dispatch.repository import Deliveries, Delivery, NewDelivery, Progress, Sent, SentNow, Unknown
from shared.contracts.approved import MessageApproved
from shared.contracts.record import READ_BACK
from shared.contracts.status import StatusCode, StatusEvent
from shared.db.outbox import OutboxRecord
from shared.db.unit_of_work import UnitOfWork
from shared.dead_letters import UNREADABLE, dead_letter, read_as
from shared.group_commit import GroupCommit
from shared.loops import run_forever
from shared.reports import status_records
from shared.topics import UNPREFIXED, Topics

log = logging.getLogger(__name__)

IDLE_WAIT = 30.0
"""The longest an idle loop sleeps: new deliveries and sends by this process wake it at once, retries and polls
when they are due; this bounds how late it sees what another process left behind (a lease run out)."""
RESEND_HINT = "send it again with `accordeer resend` once the cause is fixed"
# After an unexpected error (the database away, a bug) a loop pauses rather than spinning.
PAUSE_AFTER_ERROR = 1.0
MIN_POLL_WAIT_SECONDS = 0.005
"""The shortest wait between two rounds of polls when nothing was due: they never spin."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _until(due: datetime | None, now: datetime) -> float:
    """Seconds from ``now`` until ``due``, never less than MIN_POLL_WAIT_SECONDS nor more than IDLE_WAIT."""
    if due is None:
        return IDLE_WAIT
    return min(IDLE_WAIT, max(MIN_POLL_WAIT_SECONDS, (due - now).total_seconds()))


class Dispatch:
    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork[Deliveries]],
        gateway: Gateway,
        config: GatewayConfig,
        *,
        topics: Topics = UNPREFIXED,
        breaker: GatewayBreaker | None = None,
        concurrency: int = 32,
        poll_batch_size: int = 200,
        polling: Polling | None = None,
        lease: timedelta = timedelta(seconds=30),
        clock: Callable[[], datetime] = _utc_now,
    ):
        self.unit_of_work = unit_of_work
        self.gateway = gateway
        self.config = config
        self.topics = topics
        self.breaker = breaker or GatewayBreaker()
        self.concurrency = concurrency
        self.poll_batch_size = poll_batch_size
        self.polling = polling or Polling()
        self.lease = lease
        self.clock = clock
        self._work = asyncio.Event()
        self._sent_now = asyncio.Event()
        """Set when this process stored a delivery as sent: its first poll is due soon."""
        self._failed_polls = 0
        # Deliveries in flight finish close together: their rows are stored together, one transaction for many.
        self._sent_writer = GroupCommit(self._store_sent, key=lambda sent: sent[0].delivery.dossier_item_id)

    def wake(self) -> None:
        """Something to send may be due now (a resend was asked for): the delivery loop looks at once."""
        self._work.set()

    # -- messages.approved → deliveries ------------------------------------------------------------------------

    async def take_in(self, records: Sequence[ConsumerRecord]) -> None:
        async with self.unit_of_work() as uow:
            read = [self._read_approved(record) for record in await uow.claim(records)]
            added = await uow.repository.add([r for r in read if isinstance(r, NewDelivery)])
            uow.publish(r for r in read if isinstance(r, OutboxRecord))
        if added:
            self._work.set()

    # -- deliveries → gateway ----------------------------------------------------------------------------------

    async def deliver_forever(self) -> None:
        running: set[asyncio.Task[None]] = set()

        async def one_round() -> None:
            started = await self.start_deliveries(running)
            if not started or len(running) >= self.concurrency:
                await self._await_work(running)

        try:
            await run_forever("claiming deliveries", one_round, pause=PAUSE_AFTER_ERROR)
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)

    async def start_deliveries(self, running: set[asyncio.Task[None]]) -> int:
        """Claim as many due deliveries as there is room for (and the breaker allows) and start sending them."""
        self._work.clear()
        room = self.breaker.allowance(self.concurrency - len(running))
        if room <= 0:
            return 0
        async with self.unit_of_work() as uow:
            due = await uow.repository.claim(limit=room, lease=self.lease)
        for delivery in due:
            task = asyncio.create_task(_survive(self.deliver(delivery), f"delivering {delivery.dossier_item_id}"))
            running.add(task)
            task.add_done_callback(running.discard)
        return len(due)

    async def _await_work(self, running: set[asyncio.Task[None]]) -> None:
        """Until a delivery finishes, new ones arrive, or it is time to look for due retries."""
        arrived = asyncio.create_task(self._work.wait())
        try:
            # With every slot busy nothing can start before a delivery finishes, which wakes it: no need to ask
            # the database when the next one is due (the hot path under load).
            full = len(running) >= self.concurrency
            timeout = self.breaker.retry_in() or (IDLE_WAIT if full else await self.until_next_attempt())
            await asyncio.wait({arrived, *running}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            arrived.cancel()

    async def deliver(self, delivery: Delivery) -> None:
        with structlog.contextvars.bound_contextvars(
            dossier_item_id=delivery.dossier_item_id, message_id=delivery.message_id, source=delivery.source
        ):
            await self._deliver(delivery)

    async def _deliver(self, delivery: Delivery) -> None:
        message = MessageApproved.model_validate(delivery.message, context=READ_BACK)
        berichtsoort = self.config.berichtsoort(message.message_type)
        if berichtsoort is None:
            await self._retry(
                delivery, f"no berichtsoort configured for message type {message.message_type!r}", gateway_down=False
            )
            return
        request = domain.delivery_request(
            message,
            berichtsoort=berichtsoort,
            rol=self.config.rol_belanghebbende,
            aanleverkenmerk=delivery.aanleverkenmerk,
            eerder_aanleverkenmerk=delivery.previous_aanleverkenmerk,
        )
        try:
            receipt = await self.breaker.call(lambda: self.gateway.deliver(request))
        except CircuitOpen as exc:
            async with self.unit_of_work() as uow:
                await uow.repository.release([delivery], at=self.clock() + timedelta(seconds=exc.retry_in))
        except TransientGatewayError as exc:
            await self._retry(delivery, f"communication service unavailable: {exc}", gateway_down=self.breaker.is_open)
        except PermanentGatewayError as exc:
            detail = f"refused by the communication service: {exc}; {RESEND_HINT}"
            async with self.unit_of_work() as uow:
                if failed := await uow.repository.mark_failed(delivery, gateway_code=exc.code, error=detail):
                    uow.publish(
                        self._reports(
                            [
                                self._event(
                                    delivery,
                                    StatusCode.SEND_ERROR,
                                    detail,
                                    authority_code=exc.code,
                                    cause=f"refusal of aanleverkenmerk {delivery.aanleverkenmerk}",
                                )
                            ]
                        )
                    )
            if failed:
                figures.FAILED.labels(gateway_code=exc.code).inc()
                log.warning(
                    "delivery of %s refused by the communication service (%s); it stays at 70 until `accordeer resend`",
                    delivery.dossier_item_id,
                    exc,
                )
        else:
            await self._sent(delivery, receipt.kenmerk)

    async def _sent(self, delivery: Delivery, kenmerk: str) -> None:
        detail = f"delivered; gateway kenmerk {kenmerk}"
        if delivery.kenmerk is not None and delivery.kenmerk != kenmerk:
            # The gateway lost the first delivery (it kept answering that it did not know its kenmerk), so this is a
            # second Sent: the contract says so, and names both kenmerken, the first no longer valid.
            lost = f"the gateway no longer knew kenmerk {delivery.kenmerk}"
            detail = f"delivered again: {lost}; gateway kenmerk {kenmerk}"
        if delivery.previous_aanleverkenmerk:
            detail += (
                f"; attempt {delivery.attempt} as aanleverkenmerk {delivery.aanleverkenmerk}"
                f" (eerder {delivery.previous_aanleverkenmerk})"
            )
        sent = SentNow(delivery, kenmerk, poll_at=self.clock() + self.polling.delay(0))
        # Caused by the receipt: delivered again under the same aanleverkenmerk (after a restore), the gateway
        # answers with the same kenmerk, and the event is the first one again.
        cause = f"receipt {kenmerk} of aanleverkenmerk {delivery.aanleverkenmerk}"
        if await self._sent_writer.add((sent, [self._event(delivery, StatusCode.SENT, detail, cause=cause)])):
            if delivery.previous_aanleverkenmerk and delivery.kenmerk is None:
                figures.RESENDS.inc()
            log.info("delivered to the communication service, kenmerk %s", kenmerk)

    async def _retry(self, delivery: Delivery, error: str, *, gateway_down: bool) -> None:
        plan = domain.retry_after_failure(
            delivery.attempts, gateway_down=gateway_down, cooldown_left=self.breaker.retry_in()
        )
        log.info("delivery of %s failed (%s); sending again in %.1fs", delivery.dossier_item_id, error, plan.delay)
        events = []
        if delivery.status_code != StatusCode.SEND_ERROR:  # one 70 per failure streak, not per attempt
            events.append(self._event(delivery, StatusCode.SEND_ERROR, f"{error}; sending again later"))
        async with self.unit_of_work() as uow:
            if await uow.repository.mark_retry(
                delivery,
                error=error,
                retry_at=self.clock() + timedelta(seconds=plan.delay),
                count_attempt=plan.counts_as_attempt,
            ):
                uow.publish(self._reports(events))

    async def _store_sent(self, group: Sequence[tuple[SentNow, list[StatusEvent]]]) -> set[str]:
        async with self.unit_of_work() as uow:
            stored = await uow.repository.mark_sent([sent for sent, _ in group])
            uow.publish(
                self._reports(e for sent, events in group if sent.delivery.dossier_item_id in stored for e in events)
            )
        if stored:
            self._sent_now.set()
        return stored

    # -- gateway status trails → messages.status -----------------------------------------------------------------

    async def follow_forever(self) -> None:
        async def one_round() -> None:
            self._sent_now.clear()
            if await self.follow_due() >= self.poll_batch_size:  # a full batch: more may be due right now
                return
            wait = self.breaker.retry_in() or await self.until_next_poll()
            # A delivery sent meanwhile ends the wait: its poll is due soon. (asyncio.timeout, not wait_for: on
            # Python 3.11 wait_for can swallow a cancellation that meets the event, and the loop would not stop.)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._sent_now.wait()

        await run_forever("following status trails", one_round, pause=PAUSE_AFTER_ERROR)

    async def until_next_poll(self) -> float:
        """Seconds until the first sent delivery is due to be polled, at most IDLE_WAIT: a quick answer is seen when
        it is due, not a round later, and an idle process does not ask the database several times a second."""
        async with self.unit_of_work() as uow:
            next_poll_at = await uow.repository.next_poll_at()
        return _until(next_poll_at, self.clock())

    async def until_next_attempt(self) -> float:
        """Seconds until the first delivery to send (a retry, or one whose claim's lease ran out) is due, at most
        IDLE_WAIT."""
        async with self.unit_of_work() as uow:
            next_attempt_at = await uow.repository.next_attempt_at()
        return _until(next_attempt_at, self.clock())

    async def follow_due(self) -> int:
        """Poll the trails of one batch of due sent deliveries and report what is new; returns how many polled."""
        if not self.breaker.allowance(1):
            return 0
        async with self.unit_of_work() as uow:
            due = await uow.repository.claim_polls(limit=self.poll_batch_size, lease=self.lease)
        if not due:
            return 0
        try:
            trails = await self.breaker.call(lambda: self.gateway.statuses([d.kenmerk for d in due]))
        except CircuitOpen as exc:
            await self._release_polls(due, at=self.clock() + timedelta(seconds=exc.retry_in))
            return 0
        except (TransientGatewayError, PermanentGatewayError) as exc:
            # A refusal (4xx) does not open the breaker, so polls that keep failing back off on their own.
            self._failed_polls += 1
            wait = max(self.polling.delay(self._failed_polls), timedelta(seconds=self.breaker.retry_in()))
            log.warning(
                "status poll of %d deliveries failed (%s); polling them again in %.1f s",
                len(due),
                exc,
                wait.total_seconds(),
            )
            await self._release_polls(due, at=self.clock() + wait)
            return 0
        self._failed_polls = 0
        async with self.unit_of_work() as uow:
            if unknown := [self._unknown(d) for d in due if d.kenmerk not in trails]:
                await uow.repository.record_unknown(unknown)
            known = [(d, trails[d.kenmerk]) for d in due if d.kenmerk in trails]
            uow.publish(self._reports(await uow.repository.record_trails(known, self._progress)))
        return len(due)

    async def _release_polls(self, due: list[Sent], *, at: datetime) -> None:
        async with self.unit_of_work() as uow:
            await uow.repository.release_polls(due, at=at)

    def _unknown(self, sent: Sent) -> Unknown:
        """The gateway may just be behind, so ask again; after a few polls it has lost the delivery (a restart
        without its memory): deliver it again under the same aanleverkenmerk, which it takes as one delivery."""
        if sent.unknown_polls + 1 >= self.polling.unknown_polls_before_redelivery:
            figures.REDELIVERIES.inc()
            log.warning(
                "the communication service does not know kenmerk %s of dossier item %s after %d polls; "
                "delivering it again under aanleverkenmerk %s",
                sent.kenmerk,
                sent.dossier_item_id,
                sent.unknown_polls + 1,
                sent.aanleverkenmerk,
            )
            return Unknown(sent, redeliver=True)
        log.info(
            "the communication service does not know kenmerk %s (dossier item %s) yet; asking again",
            sent.kenmerk,
            sent.dossier_item_id,
        )
        # Asked again on a schedule of its own, from quick: the answer is the gateway's state, not the trail's pace.
        return Unknown(sent, redeliver=False, next_poll_at=self.clock() + self.polling.delay(sent.unknown_polls + 1))

    def _progress(self, sent: Sent, fresh: list[GatewayStatus]) -> Progress:
        # One event per poll that brings news, with the latest status; its detail names every status it sums up
        # (all of them are kept in dispatch.gateway_statuses). An event per trail status was 55% of all status
        # events in the chaos run and told the external application nothing it could act on.
        latest = fresh[-1] if fresh else None
        events = (
            [
                self._event(
                    sent,
                    domain.our_status(latest),
                    domain.trail_detail(fresh),
                    authority_code=str(latest.code),
                    at=domain.status_time(latest),
                    # The gateway's latest status, not the trail summed up: polled again after a restore, one
                    # poll may bring what two brought before.
                    cause=f"gateway status {latest.code} of kenmerk {sent.kenmerk} at {latest.timestamp}",
                )
            ]
            if latest
            else []
        )
        code = domain.latest_status(StatusCode(sent.status_code), fresh)
        gateway_code = str(fresh[-1].code) if fresh else None
        if code is StatusCode.SEND_ERROR:
            figures.FAILED.labels(gateway_code=gateway_code or "unknown").inc()
            log.warning(
                "delivery of %s failed on the way (%s); it stays at 70 until `accordeer resend`",
                sent.dossier_item_id,
                events[-1].detail if events else code.label,
            )
            return Progress(
                code,
                events,
                state="failed",
                gateway_code=gateway_code,
                error=f"{events[-1].detail if events else ''}; {RESEND_HINT}",
            )
        if code.is_final:
            return Progress(code, events, state="final", gateway_code=gateway_code)
        now = self.clock()
        if self.polling.gave_up(sent.sent_at, now):
            reason = f"{self.polling.give_up_reason(gateway_code or sent.gateway_code)}; {RESEND_HINT}"
            figures.FAILED.labels(gateway_code="no-final-answer").inc()
            log.warning("delivery of %s: %s", sent.dossier_item_id, reason)
            events.append(
                self._event(
                    sent, StatusCode.SEND_ERROR, reason, authority_code=gateway_code or sent.gateway_code, at=now
                )
            )
            return Progress(StatusCode.SEND_ERROR, events, state="failed", gateway_code=gateway_code, error=reason)
        return Progress(code, events, gateway_code=gateway_code, next_poll_at=now + self.polling.delay(sent.polls + 1))

    def _read_approved(self, record: ConsumerRecord) -> NewDelivery | OutboxRecord:
        """The delivery an approved message asks for, or, if the record cannot be read, its dead letter."""
        message = read_as(MessageApproved, record, refused_by="dispatch")
        if not isinstance(message, MessageApproved):
            return message
        try:
            aanleverkenmerk = domain.aanleverkenmerk(message.dossier_item_id)
        except ValueError as exc:
            return dead_letter(self.topics.approved_dlq, record, reason_code=UNREADABLE, reason=str(exc))
        return NewDelivery(
            dossier_item_id=message.dossier_item_id,
            message_id=message.message_id,
            source=message.source,
            aanleverkenmerk=aanleverkenmerk,
            message=message.model_dump(mode="json"),
        )

    def _reports(self, events: Iterable[StatusEvent]) -> list[OutboxRecord]:
        return [record for event in events for record in status_records(self.topics, event)]

    def _event(
        self,
        delivery: Delivery | Sent,
        code: StatusCode,
        detail: str,
        *,
        authority_code: str | None = None,
        at: datetime | None = None,
        cause: str | None = None,
    ) -> StatusEvent:
        return StatusEvent.of(
            code,
            message_id=delivery.message_id,
            source=delivery.source,
            dossier_item_id=delivery.dossier_item_id,
            occurred_at=at or self.clock(),
            detail=detail,
            authority_status_code=authority_code,
            cause=cause,
        )


async def _survive(work: Awaitable[None], what: str) -> None:
    """One delivery that fails unexpectedly (database away, a bug) is logged and given up: its lease runs out and
    it is claimed again."""
    try:
        await work
    except Exception:
        log.exception("%s failed; it is tried again when its lease runs out", what)
