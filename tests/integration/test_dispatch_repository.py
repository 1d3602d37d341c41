"""Dispatch's PostgreSQL deliveries on the real database (no services running): leases fence out a process
whose lease ran out, nothing counts twice, each gateway status is reported once, in trail order; polls are
claimed by next_poll_at without the document and shared between processes; an unreadable record is
dead-lettered with the batch; a resend makes a new attempt once, audited, and is refused when it should be."""

import asyncio
import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from prometheus_client import REGISTRY

from services.dispatch.domain import GatewayStatus, aanleverkenmerk
from services.dispatch.repository import NewDelivery, PostgresDeliveries, Progress, Sent, SentNow, Unknown
from services.dispatch.waiting import WaitingForResend
from shared.contracts.status import StatusCode, StatusEvent
from shared.db.outbox import OutboxRecord
from shared.db.pool import create_pool
from shared.db.unit_of_work import PostgresUnitOfWork
from shared.dead_letters import dead_letter
from shared.operations.resends import NotResent, Requested, request_resend, resend_progress

ITEM = "00000000-0000-0000-0000-000000000001"


@pytest.fixture
async def pool(system):
    pool = await create_pool(system.settings.database_url)
    try:
        yield pool
    finally:
        await pool.close()


class Transactions:
    """The repository as dispatch's use cases drive it: each call in a unit of work of its own, the status events
    given with a change published only when the change was stored."""

    def __init__(self, pool, status_topic: str):
        self.pool = pool
        self.status_topic = status_topic

    def __getattr__(self, method: str):
        async def call(*args, events=(), **kwargs):
            async with PostgresUnitOfWork(self.pool, "dispatch", "dispatch", PostgresDeliveries) as uow:
                result = await getattr(uow.repository, method)(*args, **kwargs)
                reported = result if method == "record_trails" else events if result else []
                uow.publish(OutboxRecord.of(self.status_topic, e.message_id, e) for e in reported)
            return result

        return call

    async def add_new(self, records, read) -> int:
        async with PostgresUnitOfWork(self.pool, "dispatch", "dispatch", PostgresDeliveries) as uow:
            read_records = [read(r) for r in await uow.claim(records)]
            uow.publish(r for r in read_records if isinstance(r, OutboxRecord))
            return await uow.repository.add([r for r in read_records if isinstance(r, NewDelivery)])


@pytest.fixture
async def deliveries(system, pool):
    return Transactions(pool, system.topics.status)


def event(code: StatusCode, detail: str) -> StatusEvent:
    return StatusEvent.of(
        code, message_id="msg-1", source="afas-fin", dossier_item_id=ITEM, occurred_at=datetime.now(UTC), detail=detail
    )


async def outbox(system) -> list[str]:
    rows = await system.db.fetch("SELECT value FROM dispatch.outbox ORDER BY id")
    return [json.loads(r["value"])["detail"] for r in rows]


async def add_one(deliveries) -> None:
    new = NewDelivery(ITEM, "msg-1", "afas-fin", aanleverkenmerk(ITEM), {"any": "thing"})
    record = SimpleNamespace(topic="messages.approved", partition=0, offset=0)
    assert await deliveries.add_new([record], lambda r: new) == 1
    assert await deliveries.add_new([record], lambda r: new) == 0  # applied before


async def test_a_process_whose_lease_ran_out_can_no_longer_report_the_delivery(system, deliveries):
    await add_one(deliveries)
    [stale] = await deliveries.claim(limit=1, lease=timedelta(0))
    [current] = await deliveries.claim(limit=1, lease=timedelta(seconds=30))
    assert await deliveries.claim(limit=1, lease=timedelta(seconds=30)) == []

    assert not await mark_sent(deliveries, stale, "k-stale", events=[event(StatusCode.SENT, "stale")])
    assert not await deliveries.mark_retry(
        stale, error="x", retry_at=datetime.now(UTC), count_attempt=True, events=[event(StatusCode.SEND_ERROR, "stale")]
    )
    await deliveries.release([stale], at=datetime.now(UTC))
    assert await deliveries.claim(limit=1, lease=timedelta(seconds=30)) == []
    assert await mark_sent(deliveries, current, "k-1", events=[event(StatusCode.SENT, "current")])
    assert not await mark_sent(deliveries, current, "k-1", events=[event(StatusCode.SENT, "again")])

    row = await system.db.fetchrow("SELECT state, kenmerk, attempts, status_code FROM dispatch.deliveries")
    assert dict(row) == {"state": "sent", "kenmerk": "k-1", "attempts": 1, "status_code": 60}
    assert await outbox(system) == ["current"]


async def test_a_failure_while_the_gateway_is_down_does_not_count_as_an_attempt(system, deliveries):
    await add_one(deliveries)
    for count_attempt in (False, True):
        [claimed] = await deliveries.claim(limit=1, lease=timedelta(seconds=30))
        assert await deliveries.mark_retry(
            claimed,
            error="503",
            retry_at=datetime.now(UTC) - timedelta(seconds=1),
            count_attempt=count_attempt,
            events=[],
        )

    row = await system.db.fetchrow("SELECT attempts, status_code, last_error FROM dispatch.deliveries")
    assert dict(row) == {"attempts": 1, "status_code": 70, "last_error": "503"}


async def test_each_gateway_status_is_reported_once_in_trail_order_until_final(system, deliveries):
    await add_one(deliveries)
    [claimed] = await deliveries.claim(limit=1, lease=timedelta(seconds=30))
    await mark_sent(deliveries, claimed, "k-1", poll_at=datetime.now(UTC) - timedelta(seconds=1))
    trail = [
        GatewayStatus(code, f"status {code}", f"2026-01-05T09:00:0{i}+00:00")
        for i, code in enumerate((105, 100, 110, 200, 301, 405, 400, 500))
    ]

    def progress(delivery, fresh):
        if fresh and fresh[-1].code == 500:
            return Progress(
                StatusCode.ACCEPTED_BY_AUTHORITY,
                [event(StatusCode.SENT, str(s.code)) for s in fresh],
                state="final",
                gateway_code="500",
            )
        return Progress(
            StatusCode.SENT,
            [event(StatusCode.SENT, str(s.code)) for s in fresh],
            next_poll_at=datetime.now(UTC) - timedelta(seconds=1),
        )

    for seen in (3, 3, 8):
        [polled] = await deliveries.claim_polls(limit=10, lease=timedelta(seconds=30))
        await deliveries.record_trails([(polled, trail[:seen])], progress)

    assert await outbox(system) == ["105", "100", "110", "200", "301", "405", "400", "500"]
    row = await system.db.fetchrow("SELECT state, status_code, polls, gateway_code FROM dispatch.deliveries")
    assert dict(row) == {"state": "final", "status_code": 80, "polls": 3, "gateway_code": "500"}
    assert await deliveries.claim_polls(limit=10, lease=timedelta(seconds=30)) == []


async def add_many(deliveries, n: int) -> list[str]:
    items = [f"00000000-0000-0000-0000-{i:012d}" for i in range(1, n + 1)]
    records = [SimpleNamespace(topic="messages.approved", partition=0, offset=i) for i in range(n)]
    news = {
        r.offset: NewDelivery(item, f"msg-{i}", "afas-fin", aanleverkenmerk(item), {"document": "x" * 1000})
        for i, (item, r) in enumerate(zip(items, records, strict=True))
    }
    assert await deliveries.add_new(records, lambda r: news[r.offset]) == n
    return items


async def send_all(deliveries, n: int, poll_at: datetime) -> None:
    claimed = await deliveries.claim(limit=n, lease=timedelta(seconds=30))
    sent = [SentNow(c, f"k-{c.dossier_item_id}", poll_at=poll_at) for c in claimed]
    assert await deliveries.mark_sent(sent) == {c.dossier_item_id for c in claimed}, "all at once"


async def mark_sent(deliveries, claimed, kenmerk: str, *, poll_at: datetime | None = None, events=()) -> bool:
    stored = await deliveries.mark_sent(
        [SentNow(claimed, kenmerk, poll_at=poll_at or datetime.now(UTC))], events=events
    )
    return claimed.dossier_item_id in stored


async def test_due_polls_are_claimed_by_next_poll_at_without_the_document_and_shared_between_processes(
    system, deliveries, pool
):
    items = await add_many(deliveries, 40)
    await send_all(deliveries, 40, poll_at=datetime.now(UTC) - timedelta(seconds=1))
    await system.db.execute(
        "UPDATE dispatch.deliveries SET next_poll_at = now() + interval '1 hour' WHERE dossier_item_id = $1", items[0]
    )

    first, second = await asyncio.gather(
        deliveries.claim_polls(limit=25, lease=timedelta(seconds=30)),
        deliveries.claim_polls(limit=25, lease=timedelta(seconds=30)),
    )

    claimed = [s.dossier_item_id for s in first + second]
    assert sorted(claimed) == sorted(items[1:]), "every due one once, the one not due not at all"
    assert all(isinstance(s, Sent) and not hasattr(s, "message") for s in first + second)
    assert await deliveries.claim_polls(limit=25, lease=timedelta(seconds=30)) == []
    async with pool.acquire() as conn:
        await conn.execute("SET enable_seqscan = off")  # a table this small is scanned; is the index usable?
        plan = "\n".join(
            r[0]
            for r in await conn.fetch(
                "EXPLAIN SELECT dossier_item_id FROM dispatch.deliveries WHERE state = 'sent' AND next_poll_at <= now()"
                " ORDER BY next_poll_at LIMIT 200"
            )
        )
        await conn.execute("RESET enable_seqscan")
    assert "deliveries_poll_due" in plan


async def test_a_kenmerk_the_gateway_lost_is_counted_then_handed_back_to_the_senders(system, deliveries):
    [item] = await add_many(deliveries, 1)
    await send_all(deliveries, 1, poll_at=datetime.now(UTC) - timedelta(seconds=1))
    [sent] = await deliveries.claim_polls(limit=10, lease=timedelta(seconds=30))
    await deliveries.record_unknown([Unknown(sent, redeliver=False, next_poll_at=datetime.now(UTC))])
    [sent] = await deliveries.claim_polls(limit=10, lease=timedelta(seconds=30))
    assert (sent.unknown_polls, sent.polls) == (1, 1)

    await deliveries.record_unknown([Unknown(sent, redeliver=True)])

    row = await system.db.fetchrow("SELECT state, aanleverkenmerk, unknown_polls FROM dispatch.deliveries")
    assert dict(row) == {"state": "to_send", "aanleverkenmerk": item.replace("-", ""), "unknown_polls": 0}
    [again] = await deliveries.claim(limit=10, lease=timedelta(seconds=30))
    assert again.aanleverkenmerk == item.replace("-", "")


async def test_an_unreadable_record_is_dead_lettered_in_the_same_transaction_as_the_batch(system, deliveries):
    good = NewDelivery(ITEM, "msg-1", "afas-fin", aanleverkenmerk(ITEM), {"any": "thing"})
    records = [
        SimpleNamespace(topic="messages.approved", partition=0, offset=0, key=b"k", value=b"{bad", timestamp=1),
        SimpleNamespace(topic="messages.approved", partition=0, offset=1),
    ]

    def read(record):
        if record.offset == 0:
            return dead_letter("messages.approved.dlq", record, reason_code="unreadable", reason="Invalid JSON")
        return good

    assert await deliveries.add_new(records, read) == 1
    assert await deliveries.add_new(records, read) == 0  # applied before: no second dead letter
    rows = await system.db.fetch("SELECT topic, key, value, headers FROM dispatch.outbox ORDER BY id")
    assert [(r["topic"], r["key"], r["value"]) for r in rows] == [("messages.approved.dlq", b"k", b"{bad")]
    assert ["accordeer-reason-code", "unreadable"] in rows[0]["headers"]


async def fail(deliveries, system) -> None:
    [claimed] = await deliveries.claim(limit=1, lease=timedelta(seconds=30))
    assert await deliveries.mark_failed(
        claimed, gateway_code="410", error="410 afleveren mislukt", events=[event(StatusCode.SEND_ERROR, "410")]
    )


async def test_a_resend_makes_one_new_attempt_audited_and_a_second_request_is_refused(system, deliveries, pool):
    await add_one(deliveries)
    async with pool.acquire() as conn:
        refused = await request_resend(conn, ITEM, "olga")
        assert isinstance(refused, NotResent) and "not at 70" in refused.reason
        await fail(deliveries, system)

        first = await request_resend(conn, ITEM, "olga")
        second = await request_resend(conn, ITEM, "piet")
        assert isinstance(first, Requested)
        assert (first.attempt, first.aanleverkenmerk, first.previous_aanleverkenmerk, first.failure) == (
            2,
            aanleverkenmerk(ITEM, 2),
            aanleverkenmerk(ITEM),
            "410 afleveren mislukt",
        )
        assert isinstance(second, NotResent)
        assert "already under way: attempt 2" in second.reason and "asked by olga" in second.reason
        assert not (await resend_progress(conn, ITEM, 2)).sent

    [claimed] = await deliveries.claim(limit=1, lease=timedelta(seconds=30))
    assert (claimed.attempt, claimed.aanleverkenmerk, claimed.previous_aanleverkenmerk, claimed.kenmerk) == (
        2,
        aanleverkenmerk(ITEM, 2),
        aanleverkenmerk(ITEM),
        None,
    )
    assert await mark_sent(deliveries, claimed, "k-2")
    async with pool.acquire() as conn:
        progress = await resend_progress(conn, ITEM, 2)
        assert (progress.sent, progress.final, progress.status) == (True, False, "60 Sent")
        refused = await request_resend(conn, ITEM, "piet")
        assert isinstance(refused, NotResent) and "60 Sent, not at 70" in refused.reason
    audit = await system.db.fetch(
        "SELECT attempt, aanleverkenmerk, requested_by, sent_at IS NOT NULL AS sent FROM dispatch.resends"
    )
    assert [tuple(r) for r in audit] == [(2, aanleverkenmerk(ITEM, 2), "olga", True)]


async def test_two_resend_requests_at_once_make_one_attempt(system, deliveries, pool):
    await add_one(deliveries)
    await fail(deliveries, system)
    async with pool.acquire() as one, pool.acquire() as two:
        outcomes = await asyncio.gather(request_resend(one, ITEM, "olga"), request_resend(two, ITEM, "piet"))
    assert sorted(type(o).__name__ for o in outcomes) == ["NotResent", "Requested"]
    assert await system.db.fetchval("SELECT count(*) FROM dispatch.resends") == 1


async def test_the_deliveries_waiting_for_a_resend_are_counted_by_gateway_code_and_go_back_to_zero(
    system, deliveries, pool
):
    waiting, gauge = WaitingForResend(lambda: pool), "accordeer_dispatch_waiting_for_resend"
    await add_one(deliveries)
    assert await waiting.count() == {}
    await fail(deliveries, system)
    assert await waiting.count() == {"410": 1}
    assert REGISTRY.get_sample_value(gauge, {"gateway_code": "410"}) == 1
    async with pool.acquire() as conn:
        assert isinstance(await request_resend(conn, ITEM, "olga"), Requested)
    assert await waiting.count() == {}
    assert REGISTRY.get_sample_value(gauge, {"gateway_code": "410"}) == 0  # not its last figure: none waits now
