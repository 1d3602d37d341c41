"""Dispatch's use cases: take in approved messages, deliver due ones, follow the gateway's status trails."""

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from aiokafka import ConsumerRecord
from pydantic import ValidationError

from services.dispatch import domain
from services.dispatch.config import GatewayConfig
from services.dispatch.gateway import Gateway, PermanentGatewayError, TransientGatewayError
from services.dispatch.repository import Delivery, DeliveryRepository
from shared.contracts.approved import MessageApproved
from shared.contracts.status import StatusCode, StatusEvent
from shared.db import outbox
from shared.db.inbox import claim_unapplied
from shared.db.outbox import OutboxRecord
from shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)

SCHEMA = "dispatch"
DELIVERY_LEASE = timedelta(seconds=60)
POLL_INTERVAL = timedelta(seconds=0.5)


def _now() -> datetime:
    return datetime.now(UTC)


class Dispatch:
    def __init__(self, runtime: ServiceRuntime, gateway: Gateway, config: GatewayConfig, *, concurrency: int = 16):
        self.runtime = runtime
        self.gateway = gateway
        self.config = config
        self.concurrency = concurrency
        self._work = asyncio.Event()

    # -- messages.approved → deliveries ------------------------------------------------------------------------

    async def take_in(self, records: Sequence[ConsumerRecord]) -> None:
        async with self.runtime.pool.acquire() as conn, conn.transaction():
            fresh = await claim_unapplied(conn, SCHEMA, self.runtime.group_id, records)
            rows = []
            for record in fresh:
                try:
                    message = MessageApproved.model_validate_json(record.value)
                except ValidationError as exc:
                    # Only the workflow service writes this topic; a bad record is a bug to see, not to retry.
                    log.error("unreadable approved message at %s[%d]@%d: %s", record.topic, record.partition,
                              record.offset, exc)
                    continue
                rows.append((message.dossier_item_id, message.message_id, message.source,
                             domain.aanleverkenmerk(message.dossier_item_id), message.model_dump(mode="json"),
                             int(StatusCode.PREPARED_FOR_SENDING)))
            await DeliveryRepository(conn).add(rows)
        if rows:
            self._work.set()

    # -- deliveries → gateway ----------------------------------------------------------------------------------

    async def deliver_forever(self) -> None:
        while True:
            delivered = await self.deliver_due()
            if delivered == 0:
                self._work.clear()
                try:
                    await asyncio.wait_for(self._work.wait(), 0.5)
                except TimeoutError:
                    pass

    async def deliver_due(self) -> int:
        async with self.runtime.pool.acquire() as conn:
            due = await DeliveryRepository(conn).claim_due(state="to_send", limit=self.concurrency,
                                                           lease=DELIVERY_LEASE)
        await asyncio.gather(*(self._deliver(d) for d in due))
        return len(due)

    async def _deliver(self, delivery: Delivery) -> None:
        message = MessageApproved.model_validate(delivery.message)
        berichtsoort = self.config.berichtsoort(message.message_type)
        if berichtsoort is None:
            await self._retry(delivery, f"no berichtsoort configured for message type {message.message_type!r}")
            return
        request = domain.delivery_request(message, berichtsoort=berichtsoort, rol=self.config.rol_belanghebbende)
        try:
            receipt = await self.gateway.deliver(request)
        except TransientGatewayError as exc:
            await self._retry(delivery, f"communication service unavailable: {exc}")
            return
        except PermanentGatewayError as exc:
            await self._finish(delivery, StatusCode.DECLINED_BY_AUTHORITY, f"refused by the communication service: {exc}",
                               authority_code=exc.code)
            return
        async with self.runtime.pool.acquire() as conn, conn.transaction():
            await DeliveryRepository(conn).mark_sent(delivery.dossier_item_id, receipt.kenmerk,
                                                     first_poll_at=_now() + POLL_INTERVAL)
            await outbox.append(conn, SCHEMA, [self._status(delivery, StatusCode.SENT,
                                                            f"delivered; gateway kenmerk {receipt.kenmerk}")])

    async def _retry(self, delivery: Delivery, error: str) -> None:
        retry_at = _now() + timedelta(seconds=domain.retry_delay(delivery.attempts + 1))
        async with self.runtime.pool.acquire() as conn, conn.transaction():
            await DeliveryRepository(conn).mark_retry(delivery.dossier_item_id, error=error, retry_at=retry_at,
                                                      status_code=int(StatusCode.SEND_ERROR))
            if delivery.status_code != StatusCode.SEND_ERROR:  # once per failure streak, not per attempt
                await outbox.append(conn, SCHEMA, [self._status(delivery, StatusCode.SEND_ERROR,
                                                                f"{error}; sending again later")])

    async def _finish(self, delivery: Delivery, code: StatusCode, detail: str, authority_code: str | None) -> None:
        async with self.runtime.pool.acquire() as conn, conn.transaction():
            await DeliveryRepository(conn).mark_final(delivery.dossier_item_id, status_code=int(code), error=detail)
            await outbox.append(conn, SCHEMA, [self._status(delivery, code, detail, authority_code=authority_code)])

    # -- gateway status trails → messages.status -----------------------------------------------------------------

    async def follow_forever(self) -> None:
        while True:
            followed = await self.follow_due()
            if followed == 0:
                await asyncio.sleep(POLL_INTERVAL.total_seconds())

    async def follow_due(self, limit: int = 200) -> int:
        async with self.runtime.pool.acquire() as conn:
            due = await DeliveryRepository(conn).claim_due(state="sent", limit=limit, lease=DELIVERY_LEASE)
        if not due:
            return 0
        try:
            trails = await self.gateway.statuses([d.kenmerk for d in due])
        except TransientGatewayError as exc:
            log.warning("status poll failed: %s", exc)
            trails = {}
        async with self.runtime.pool.acquire() as conn, conn.transaction():
            repository = DeliveryRepository(conn)
            for delivery in due:
                await self._record_trail(repository, conn, delivery, trails.get(delivery.kenmerk, []))
        return len(due)

    async def _record_trail(self, repository, conn, delivery: Delivery, trail) -> None:
        fresh = await repository.new_statuses(delivery.kenmerk, trail)
        events = [self._status(delivery, domain.our_status(s), domain.status_detail(s), authority_code=str(s.code))
                  for s in fresh]
        await outbox.append(conn, SCHEMA, events)
        latest = domain.our_status(fresh[-1]) if fresh else StatusCode(delivery.status_code)
        await repository.mark_polled(delivery.dossier_item_id, status_code=int(latest), final=latest.is_final,
                                     next_poll_at=_now() + POLL_INTERVAL)

    def _status(self, delivery: Delivery, code: StatusCode, detail: str, *, authority_code: str | None = None
                ) -> OutboxRecord:
        event = StatusEvent.of(code, message_id=delivery.message_id, source=delivery.source,
                               dossier_item_id=delivery.dossier_item_id, occurred_at=_now(), detail=detail,
                               authority_status_code=authority_code)
        return OutboxRecord.of(self.runtime.topics.status, delivery.message_id, event)
