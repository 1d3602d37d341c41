"""Dispatch's use cases on fakes: delivering, retrying, the breaker stopping and resuming the work, and
following status trails through poll errors and kenmerken the gateway does not know."""

import asyncio
import logging
from datetime import timedelta

import pytest

from services.dispatch import use_cases
from services.dispatch.breaker import GatewayBreaker
from services.dispatch.config import GatewayConfig
from services.dispatch.gateway import FakeGateway, PermanentGatewayError
from services.dispatch.use_cases import Dispatch
from shared.contracts.status import StatusCode
from tests.support.clock import FakeClock

from .fakes import InMemoryDeliveries, approved, record, trail

COOLDOWN = 0.05
CONFIG = GatewayConfig(rol_belanghebbende="Intermediair", berichtsoorten={"btw-aangifte": "Omzetbelasting"})
HAPPY = (105, 100, 110, 200, 301, 405, 400, 500)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def deliveries(clock) -> InMemoryDeliveries:
    return InMemoryDeliveries(clock)


@pytest.fixture
def gateway() -> FakeGateway:
    return FakeGateway()


def dispatch_on(deliveries, gateway, clock, **options) -> Dispatch:
    options = {"breaker": GatewayBreaker(threshold=2, cooldown=COOLDOWN), "concurrency": 4, **options}
    return Dispatch(deliveries, gateway, CONFIG, consumer="dispatch", clock=clock, **options)


async def deliver_round(dispatch: Dispatch) -> int:
    """One round of the delivery loop, waiting for the deliveries it started."""
    running: set[asyncio.Task] = set()
    started = await dispatch.start_deliveries(running)
    await asyncio.gather(*running)
    return started


async def take_in(dispatch: Dispatch, *numbers: int) -> list[str]:
    messages = [approved(n) for n in numbers]
    await dispatch.take_in([record(m, offset=i) for i, m in enumerate(messages)])
    return [m.dossier_item_id for m in messages]


async def test_an_approved_message_is_delivered_once_and_followed_to_80(deliveries, gateway, clock):
    dispatch = dispatch_on(deliveries, gateway, clock)
    [item] = await take_in(dispatch, 1)
    await take_in(dispatch, 1)  # the same approval again

    assert await deliver_round(dispatch) == 1
    assert await deliver_round(dispatch) == 0
    kenmerk = deliveries.rows[item].kenmerk
    gateway.trails[kenmerk] = trail(*HAPPY)
    clock.advance(1)
    assert await dispatch.follow_due() == 1

    assert list(gateway.received) == [item.replace("-", "")]
    assert deliveries.codes(item) == [60, 60, 60, 60, 60, 60, 60, 60, 80]
    assert [e.authority_status_code for e in deliveries.events] == [None, *map(str, HAPPY)]
    assert deliveries.events[0].detail == f"delivered; gateway kenmerk {kenmerk}"
    assert [e.occurred_at.second for e in deliveries.events[1:]] == list(range(8)), "the gateway's own times"
    assert deliveries.rows[item].state == "final"


async def test_only_new_gateway_statuses_are_reported(deliveries, gateway, clock):
    dispatch = dispatch_on(deliveries, gateway, clock)
    [item] = await take_in(dispatch, 1)
    await deliver_round(dispatch)
    kenmerk = deliveries.rows[item].kenmerk

    gateway.trails[kenmerk] = trail(*HAPPY)[:3]
    clock.advance(1)
    await dispatch.follow_due()
    gateway.trails[kenmerk] = trail(*HAPPY)
    clock.advance(1)
    await dispatch.follow_due()
    clock.advance(1)
    assert await dispatch.follow_due() == 0  # final: no longer polled

    assert [e.authority_status_code for e in deliveries.events][1:] == list(map(str, HAPPY))


async def test_a_declining_trail_ends_at_90_with_the_authoritys_code(deliveries, gateway, clock):
    dispatch = dispatch_on(deliveries, gateway, clock)
    [item] = await take_in(dispatch, 1)
    await deliver_round(dispatch)
    gateway.trails[deliveries.rows[item].kenmerk] = trail(105, 100, 110, 200, 301, 405, 400, 510,
                                                         error_code="ALS100001")
    clock.advance(1)
    await dispatch.follow_due()

    last = deliveries.events[-1]
    assert (last.status_code, last.authority_status_code) == (StatusCode.DECLINED_BY_AUTHORITY, "510")
    assert "ALS100001" in last.detail
    assert deliveries.rows[item].state == "final"


async def test_a_refused_delivery_ends_at_90_with_the_gateways_foutcode(deliveries, gateway, clock):
    gateway.refusal = PermanentGatewayError("AL-VALIDATIE", "berichtsoort onbekend")
    dispatch = dispatch_on(deliveries, gateway, clock)
    [item] = await take_in(dispatch, 1)
    await deliver_round(dispatch)

    [event] = deliveries.events
    assert (event.status_code, event.authority_status_code) == (StatusCode.DECLINED_BY_AUTHORITY, "AL-VALIDATIE")
    assert deliveries.rows[item].state == "final"


async def test_a_transient_failure_reports_70_once_per_streak_and_backs_off(deliveries, gateway, clock):
    dispatch = dispatch_on(deliveries, gateway, clock, breaker=GatewayBreaker(threshold=10, cooldown=COOLDOWN))
    [item] = await take_in(dispatch, 1)
    gateway.failures_left = 2

    await deliver_round(dispatch)
    row = deliveries.rows[item]
    assert (row.attempts, row.status_code) == (1, 70)
    assert timedelta(seconds=0.5) <= row.next_at - clock() <= timedelta(seconds=1)
    assert await deliver_round(dispatch) == 0  # not due yet
    clock.advance(1)
    await deliver_round(dispatch)
    assert timedelta(seconds=1) <= row.next_at - clock() <= timedelta(seconds=1.5)
    clock.advance(1.5)
    await deliver_round(dispatch)

    assert deliveries.codes(item) == [70, 60]
    assert "HTTP 503" in deliveries.events[0].detail
    assert (row.state, row.attempts) == ("sent", 3)


async def test_a_message_type_without_a_berichtsoort_waits_with_70(deliveries, gateway, clock):
    dispatch = dispatch_on(deliveries, gateway, clock)
    message = approved(1, message_type="vpb-aangifte")
    await dispatch.take_in([record(message)])
    item = message.dossier_item_id

    await deliver_round(dispatch)

    assert deliveries.codes(item) == [70]
    assert "no berichtsoort configured for message type 'vpb-aangifte'" in deliveries.events[0].detail
    assert gateway.calls == 0


async def test_while_the_gateway_is_down_nothing_is_claimed_and_no_attempt_is_burnt(deliveries, gateway, clock):
    dispatch = dispatch_on(deliveries, gateway, clock)
    items = await take_in(dispatch, *range(1, 11))
    gateway.down = True

    assert await deliver_round(dispatch) == 4
    assert dispatch.breaker.state == "opened"
    # every delivery that failed says so; only the one that failed before the circuit opened counts it
    assert sorted(deliveries.codes(i) for i in items) == [[]] * 6 + [[70]] * 4
    assert sum(row.attempts for row in deliveries.rows.values()) == 1

    clock.advance(120)  # every retry is due, but the circuit is open
    claims = deliveries.claims
    assert await deliver_round(dispatch) == 0
    assert await dispatch.follow_due() == 0
    assert deliveries.claims == claims and gateway.calls == 4

    await asyncio.sleep(COOLDOWN * 1.2)
    gateway.down = False
    assert await deliver_round(dispatch) == 1  # the probe
    assert dispatch.breaker.state == "closed"
    while await deliver_round(dispatch):
        pass

    assert all(deliveries.rows[i].state == "sent" for i in items)
    assert gateway.calls == 4 + 10
    assert sorted(deliveries.codes(i) for i in items) == [[60]] * 6 + [[70, 60]] * 4


async def test_a_failing_probe_is_not_counted_against_its_delivery(deliveries, gateway, clock):
    dispatch = dispatch_on(deliveries, gateway, clock, concurrency=2)
    await take_in(dispatch, 1, 2, 3)
    gateway.down = True
    await deliver_round(dispatch)
    clock.advance(120)
    await asyncio.sleep(COOLDOWN * 1.2)

    assert await deliver_round(dispatch) == 1
    assert dispatch.breaker.state == "opened"
    assert sum(row.attempts for row in deliveries.rows.values()) == 1


async def test_the_delivery_loop_keeps_every_slot_busy_and_survives_a_failing_round(deliveries, gateway, clock,
                                                                                       monkeypatch):
    monkeypatch.setattr(use_cases, "PAUSE_AFTER_ERROR", 0)
    dispatch = dispatch_on(deliveries, gateway, clock, concurrency=3)
    items = await take_in(dispatch, *range(1, 21))
    in_flight, most = 0, 0
    real_deliver = gateway.deliver

    async def slow_deliver(request):
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.001)
        in_flight -= 1
        return await real_deliver(request)

    gateway.deliver = slow_deliver
    real_claim, failures = deliveries.claim, iter([RuntimeError("database away")])

    async def flaky_claim(**kwargs):
        for error in failures:
            raise error
        return await real_claim(**kwargs)

    deliveries.claim = flaky_claim
    loop = asyncio.create_task(dispatch.deliver_forever())
    try:
        async with asyncio.timeout(5):
            while any(deliveries.rows[i].state != "sent" for i in items):
                await asyncio.sleep(0.01)
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)

    assert most == 3
    assert len(gateway.received) == 20


async def test_a_failed_poll_does_not_stop_following_and_loses_nothing(deliveries, gateway, clock, caplog):
    dispatch = dispatch_on(deliveries, gateway, clock, breaker=GatewayBreaker(threshold=5, cooldown=COOLDOWN))
    [item] = await take_in(dispatch, 1)
    await deliver_round(dispatch)
    gateway.trails[deliveries.rows[item].kenmerk] = trail(*HAPPY)
    gateway.failures_left = 1
    clock.advance(1)

    assert await dispatch.follow_due() == 0
    assert "status poll of 1 deliveries failed" in caplog.text
    assert deliveries.codes(item) == [60]
    clock.advance(1)
    await dispatch.follow_due()

    assert deliveries.codes(item)[-1] == 80


async def test_a_kenmerk_the_gateway_does_not_know_is_logged_and_asked_for_again_later(deliveries, gateway, clock,
                                                                                        caplog):
    dispatch = dispatch_on(deliveries, gateway, clock)
    [item] = await take_in(dispatch, 1)
    await deliver_round(dispatch)
    kenmerk = deliveries.rows[item].kenmerk
    forgotten = gateway.received.pop(item.replace("-", ""))
    clock.advance(1)

    assert await dispatch.follow_due() == 1
    assert f"does not know 1 kenmerk(en), e.g. {kenmerk}" in caplog.text
    assert deliveries.rows[item].next_at == clock() + use_cases.UNKNOWN_RECHECK
    clock.advance(1)
    assert await dispatch.follow_due() == 0  # not asked again at once

    gateway.received[item.replace("-", "")] = forgotten
    gateway.trails[kenmerk] = trail(*HAPPY)
    clock.advance(use_cases.UNKNOWN_RECHECK.total_seconds())
    await dispatch.follow_due()
    assert deliveries.codes(item)[-1] == 80


async def test_an_unreadable_approved_message_is_logged_and_skipped(deliveries, gateway, clock, caplog):
    caplog.set_level(logging.ERROR)
    dispatch = dispatch_on(deliveries, gateway, clock)
    await dispatch.take_in([record(b"{not json", offset=0), record(approved(2), offset=1)])

    assert list(deliveries.rows) == [approved(2).dossier_item_id]
    assert "unreadable approved message at messages.approved[0]@0" in caplog.text


async def test_a_delivery_whose_lease_was_taken_over_reports_nothing(deliveries, gateway, clock):
    dispatch = dispatch_on(deliveries, gateway, clock)
    [item] = await take_in(dispatch, 1)
    [stale] = await deliveries.claim(sent=False, limit=1, lease=dispatch.lease)
    clock.advance(dispatch.lease.total_seconds())
    await deliver_round(dispatch)  # another process took it over and sent it

    await dispatch.deliver(stale)

    assert deliveries.codes(item) == [60]
    assert len(gateway.received) == 1
