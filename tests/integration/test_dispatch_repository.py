"""Dispatch's PostgreSQL deliveries on the real database (no services running): leases fence out a process
whose lease ran out, nothing counts twice, and each gateway status is reported once, in trail order."""

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from services.dispatch.domain import GatewayStatus, aanleverkenmerk
from services.dispatch.repository import NewDelivery, PostgresDeliveries, Progress
from shared.contracts.status import StatusCode, StatusEvent
from shared.db.pool import create_pool

ITEM = "00000000-0000-0000-0000-000000000001"


@pytest.fixture
async def deliveries(system):
    pool = await create_pool(system.settings.database_url)
    try:
        yield PostgresDeliveries(lambda: pool, system.topics.status)
    finally:
        await pool.close()


def event(code: StatusCode, detail: str) -> StatusEvent:
    return StatusEvent.of(code, message_id="msg-1", source="afas-fin", dossier_item_id=ITEM,
                          occurred_at=datetime.now(UTC), detail=detail)


async def outbox(system) -> list[str]:
    rows = await system.db.fetch("SELECT value FROM dispatch.outbox ORDER BY id")
    return [json.loads(r["value"])["detail"] for r in rows]


async def add_one(deliveries) -> None:
    new = NewDelivery(ITEM, "msg-1", "afas-fin", aanleverkenmerk(ITEM), {"any": "thing"})
    record = SimpleNamespace(topic="messages.approved", partition=0, offset=0)
    assert await deliveries.add_new("dispatch", [record], lambda r: new) == 1
    assert await deliveries.add_new("dispatch", [record], lambda r: new) == 0  # applied before


async def test_a_process_whose_lease_ran_out_can_no_longer_report_the_delivery(system, deliveries):
    await add_one(deliveries)
    [stale] = await deliveries.claim(sent=False, limit=1, lease=timedelta(0))
    [current] = await deliveries.claim(sent=False, limit=1, lease=timedelta(seconds=30))
    assert await deliveries.claim(sent=False, limit=1, lease=timedelta(seconds=30)) == []

    assert not await deliveries.mark_sent(stale, "k-stale", poll_at=datetime.now(UTC),
                                          events=[event(StatusCode.SENT, "stale")])
    assert not await deliveries.mark_retry(stale, error="x", retry_at=datetime.now(UTC), count_attempt=True,
                                           events=[event(StatusCode.SEND_ERROR, "stale")])
    await deliveries.release([stale], at=datetime.now(UTC))
    assert await deliveries.claim(sent=False, limit=1, lease=timedelta(seconds=30)) == []
    assert await deliveries.mark_sent(current, "k-1", poll_at=datetime.now(UTC),
                                      events=[event(StatusCode.SENT, "current")])
    assert not await deliveries.mark_sent(current, "k-1", poll_at=datetime.now(UTC),
                                          events=[event(StatusCode.SENT, "again")])

    row = await system.db.fetchrow("SELECT state, kenmerk, attempts, status_code FROM dispatch.deliveries")
    assert dict(row) == {"state": "sent", "kenmerk": "k-1", "attempts": 1, "status_code": 60}
    assert await outbox(system) == ["current"]


async def test_a_failure_while_the_gateway_is_down_does_not_count_as_an_attempt(system, deliveries):
    await add_one(deliveries)
    for count_attempt in (False, True):
        [claimed] = await deliveries.claim(sent=False, limit=1, lease=timedelta(seconds=30))
        assert await deliveries.mark_retry(claimed, error="503", retry_at=datetime.now(UTC) - timedelta(seconds=1),
                                           count_attempt=count_attempt, events=[])

    row = await system.db.fetchrow("SELECT attempts, status_code, last_error FROM dispatch.deliveries")
    assert dict(row) == {"attempts": 1, "status_code": 70, "last_error": "503"}


async def test_each_gateway_status_is_reported_once_in_trail_order_until_final(system, deliveries):
    await add_one(deliveries)
    [claimed] = await deliveries.claim(sent=False, limit=1, lease=timedelta(seconds=30))
    await deliveries.mark_sent(claimed, "k-1", poll_at=datetime.now(UTC) - timedelta(seconds=1), events=[])
    trail = [GatewayStatus(code, f"status {code}", f"2026-01-05T09:00:0{i}+00:00")
             for i, code in enumerate((105, 100, 110, 200, 301, 405, 400, 500))]

    def progress(delivery, fresh):
        code = StatusCode.ACCEPTED_BY_AUTHORITY if fresh and fresh[-1].code == 500 else StatusCode.SENT
        return Progress(code, [event(StatusCode.SENT, str(s.code)) for s in fresh])

    for seen in (3, 3, 8):
        [polled] = await deliveries.claim(sent=True, limit=10, lease=timedelta(seconds=30))
        await deliveries.record_trails([(polled, trail[:seen])], progress,
                                       next_poll_at=datetime.now(UTC) - timedelta(seconds=1))

    assert await outbox(system) == ["105", "100", "110", "200", "301", "405", "400", "500"]
    row = await system.db.fetchrow("SELECT state, status_code FROM dispatch.deliveries")
    assert dict(row) == {"state": "final", "status_code": 80}
    assert await deliveries.claim(sent=True, limit=10, lease=timedelta(seconds=30)) == []
