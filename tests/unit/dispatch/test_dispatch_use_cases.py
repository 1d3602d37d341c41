"""Dispatch's use cases on fakes: delivering, retrying, the breaker stopping and resuming the work, following
status trails (backing off per delivery, giving up in time) through poll errors and kenmerken the gateway lost,
70 for what failed on the way and sending it again, and dead letters for what cannot be read."""

import asyncio
import logging
import re
from datetime import timedelta
from itertools import pairwise

import pytest
import structlog.testing

from services.dispatch import domain, figures, use_cases
from services.dispatch.breaker import GatewayBreaker
from services.dispatch.config import GatewayConfig
from services.dispatch.domain import Polling
from services.dispatch.gateway import FakeGateway, PermanentGatewayError
from services.dispatch.use_cases import Dispatch
from shared import dead_letters
from shared.contracts.status import StatusCode
from tests.support.clock import FakeClock

from .fakes import InMemoryDeliveries, approved, record, trail

COOLDOWN = 0.05
CONFIG = GatewayConfig(rol_belanghebbende="Intermediair", berichtsoorten={"btw-aangifte": "Omzetbelasting"})
HAPPY = (105, 100, 110, 200, 301, 405, 400, 500)
POLLING = Polling(
    first=timedelta(seconds=0.1),
    factor=2,
    cap=timedelta(seconds=1),
    give_up_after=timedelta(hours=1),
    unknown_polls_before_redelivery=3,
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def deliveries(clock) -> InMemoryDeliveries:
    return InMemoryDeliveries(clock=clock)


@pytest.fixture
def gateway() -> FakeGateway:
    return FakeGateway()


def dispatch_on(deliveries, gateway, clock, **options) -> Dispatch:
    options = {
        "breaker": GatewayBreaker(threshold=2, cooldown=COOLDOWN),
        "concurrency": 4,
        "polling": POLLING,
        **options,
    }
    return Dispatch(deliveries.units_of_work(), gateway, CONFIG, clock=clock, **options)


def trail_codes(event) -> list[int]:
    """The gateway statuses an event sums up, from its detail ("500 ... (after 105, 100, ...)")."""
    earlier = re.search(r" \(after ([\d, ]+)\)$", event.detail)
    return [*(map(int, earlier.group(1).split(", ")) if earlier else []), int(event.detail.split()[0])]


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
    assert deliveries.codes(item) == [60, 80], "one event for the poll that saw the whole trail"
    assert [e.authority_status_code for e in deliveries.events] == [None, "500"]
    assert deliveries.events[0].detail == f"delivered; gateway kenmerk {kenmerk}"
    assert trail_codes(deliveries.events[1]) == list(HAPPY), "the detail names every status it sums up"
    assert deliveries.events[1].occurred_at.second == 7, "the gateway's own time of the latest status"
    assert deliveries.rows[item].state == "final"


async def test_deliveries_the_gateway_takes_together_are_stored_in_one_write(deliveries, gateway, clock):
    dispatch = dispatch_on(deliveries, gateway, clock, concurrency=8)
    items = await take_in(dispatch, *range(1, 9))

    assert await deliver_round(dispatch) == 8
    assert deliveries.sent_writes == [8]
    assert {deliveries.rows[i].state for i in items} == {"sent"}
    assert deliveries.codes(items[0]) == [60]


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

    assert [e.authority_status_code for e in deliveries.events][1:] == ["110", "500"]
    assert [code for e in deliveries.events[1:] for code in trail_codes(e)] == list(HAPPY)


async def test_a_delivery_made_again_after_a_restore_tells_its_events_under_their_first_ids(gateway, clock):
    """A database restored from a backup takes the approval in again and delivers it under the same aanleverkenmerk:
    the gateway answers with the first kenmerk, and Sent and the final status keep their first ids (consumers drop
    them), although the restored one sees the trail in one poll where the first saw it in two."""
    told = []
    for trails in ((trail(*HAPPY)[:3], trail(*HAPPY)), (trail(*HAPPY),)):
        deliveries = InMemoryDeliveries(clock=clock)
        dispatch = dispatch_on(deliveries, gateway, clock)
        [item] = await take_in(dispatch, 1)
        await deliver_round(dispatch)
        for statuses in trails:
            gateway.trails[deliveries.rows[item].kenmerk] = statuses
            clock.advance(1)
            await dispatch.follow_due()
        told.append([(e.status_code, e.authority_status_code, e.event_id) for e in deliveries.events])

    first, restored = told
    assert [(code, authority) for code, authority, _ in first] == [(60, None), (60, "110"), (80, "500")]
    assert restored == [first[0], first[2]]


async def test_a_declining_trail_ends_at_90_with_the_authoritys_code(deliveries, gateway, clock):
    dispatch = dispatch_on(deliveries, gateway, clock)
    [item] = await take_in(dispatch, 1)
    await deliver_round(dispatch)
    gateway.trails[deliveries.rows[item].kenmerk] = trail(
        105, 100, 110, 200, 301, 405, 400, 510, error_code="ALS100001"
    )
    clock.advance(1)
    await dispatch.follow_due()

    last = deliveries.events[-1]
    assert (last.status_code, last.authority_status_code) == (StatusCode.DECLINED_BY_AUTHORITY, "510")
    assert "ALS100001" in last.detail
    assert deliveries.rows[item].state == "final"


async def test_a_refused_delivery_stops_at_70_with_the_gateways_foutcode_not_90(deliveries, gateway, clock):
    gateway.refusal = PermanentGatewayError("AL-VALIDATIE", "berichtsoort onbekend")
    dispatch = dispatch_on(deliveries, gateway, clock)
    [item] = await take_in(dispatch, 1)
    failed = figures.FAILED.labels(gateway_code="AL-VALIDATIE")._value.get()
    await deliver_round(dispatch)

    [event] = deliveries.events
    assert (event.status_code, event.authority_status_code) == (StatusCode.SEND_ERROR, "AL-VALIDATIE")
    assert "berichtsoort onbekend" in event.detail and "accordeer resend" in event.detail
    assert (deliveries.rows[item].state, deliveries.rows[item].gateway_code) == ("failed", "AL-VALIDATIE")
    assert figures.FAILED.labels(gateway_code="AL-VALIDATIE")._value.get() == failed + 1
    clock.advance(3600)
    assert await deliver_round(dispatch) == 0, "not sent again by itself"


@pytest.mark.parametrize(("code", "foutcode"), [(210, "ATH0001"), (230, "ATH0002"), (410, "AFL0001")])
async def test_a_failure_on_the_way_stops_at_70_with_the_gateways_code(deliveries, gateway, clock, code, foutcode):
    dispatch = dispatch_on(deliveries, gateway, clock)
    [item] = await take_in(dispatch, 1)
    await deliver_round(dispatch)
    gateway.trails[deliveries.rows[item].kenmerk] = trail(105, 100, 110, code, error_code=foutcode)
    clock.advance(1)
    await dispatch.follow_due()

    last = deliveries.events[-1]
    assert (last.status_code, last.authority_status_code) == (StatusCode.SEND_ERROR, str(code))
    assert foutcode in last.detail
    assert deliveries.codes(item) == [60, 70]
    assert deliveries.rows[item].state == "failed"
    clock.advance(3600)
    assert await dispatch.follow_due() == 0, "no longer polled"


@pytest.mark.parametrize("code", [311, 321])
async def test_digipoorts_validation_rejects_the_message_itself_with_90(deliveries, gateway, clock, code):
    dispatch = dispatch_on(deliveries, gateway, clock)
    [item] = await take_in(dispatch, 1)
    await deliver_round(dispatch)
    gateway.trails[deliveries.rows[item].kenmerk] = trail(105, 100, 110, code, error_code="VAL0001")
    clock.advance(1)
    await dispatch.follow_due()

    assert (deliveries.codes(item)[-1], deliveries.rows[item].state) == (90, "final")


async def test_while_the_gateway_retries_a_420_the_message_stays_sent(deliveries, gateway, clock):
    dispatch = dispatch_on(deliveries, gateway, clock)
    [item] = await take_in(dispatch, 1)
    await deliver_round(dispatch)
    gateway.trails[deliveries.rows[item].kenmerk] = trail(105, 100, 110, 200, 301, 420, 405, 400, 500)
    clock.advance(1)
    await dispatch.follow_due()

    assert deliveries.codes(item) == [60, 80]
    assert 420 in trail_codes(deliveries.events[-1])


async def delivered_with_trail(dispatch: Dispatch, deliveries, gateway, clock, *codes: int) -> str:
    """One item delivered, its trail at the gateway ``codes`` so far, and polled once."""
    [item] = await take_in(dispatch, 1)
    await deliver_round(dispatch)
    gateway.trails[deliveries.rows[item].kenmerk] = trail(*codes)
    clock.advance(1)
    await dispatch.follow_due()
    return item


async def test_a_420_seen_on_its_own_is_reported_at_60(deliveries, gateway, clock):
    dispatch = dispatch_on(deliveries, gateway, clock)
    item = await delivered_with_trail(dispatch, deliveries, gateway, clock, 105, 100, 110, 200, 301, 420)

    assert deliveries.codes(item) == [60, 60]
    assert deliveries.events[-1].authority_status_code == "420"
    assert deliveries.rows[item].state == "sent", "followed on: the gateway retries by itself"


async def test_a_failed_delivery_sent_again_gets_a_new_aanleverkenmerk_naming_the_one_before(
    deliveries, gateway, clock
):
    gateway.refusal = PermanentGatewayError("HTTP 403", "certificaat verlopen")
    dispatch = dispatch_on(deliveries, gateway, clock)
    [item] = await take_in(dispatch, 1)
    await deliver_round(dispatch)
    first = deliveries.rows[item].aanleverkenmerk

    gateway.refusal = None  # the cause is fixed
    deliveries.resend(item, domain.aanleverkenmerk(item, 2))
    resends = figures.RESENDS._value.get()
    assert await deliver_round(dispatch) == 1
    second = domain.aanleverkenmerk(item, 2)
    assert gateway.received[second]["eerderAanleverkenmerk"] == first
    kenmerk = deliveries.rows[item].kenmerk
    gateway.trails[kenmerk] = trail(*HAPPY)
    clock.advance(1)
    await dispatch.follow_due()

    assert deliveries.codes(item) == [70, 60, 80]
    assert f"attempt 2 as aanleverkenmerk {second} (eerder {first})" in deliveries.events[1].detail
    assert list(gateway.received) == [second], "the refused attempt registered nothing"
    assert figures.RESENDS._value.get() == resends + 1


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


async def test_the_delivery_loop_keeps_every_slot_busy_and_survives_a_failing_round(
    deliveries, gateway, clock, monkeypatch
):
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
            while any(deliveries.rows[i].state != "sent" for i in items):  # noqa: ASYNC110 - the fake table has no event to await
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


async def test_polls_of_one_delivery_back_off_from_quick_to_the_cap(deliveries, gateway, clock):
    dispatch = dispatch_on(deliveries, gateway, clock)
    [item] = await take_in(dispatch, 1)
    await deliver_round(dispatch)
    gateway.trails[deliveries.rows[item].kenmerk] = trail(105)
    sent, polled_at = clock(), []
    for _ in range(120):
        clock.advance(0.05)
        if await dispatch.follow_due():
            polled_at.append(clock() - sent)
    times = [round(t.total_seconds(), 2) for t in polled_at]
    gaps = [round(b - a, 2) for a, b in pairwise(times)]
    assert times[0] == 0.1, "the first poll 0.1 s after sending"
    assert gaps[:4] == [0.2, 0.4, 0.8, 1.0]  # then doubling up to the cap
    assert set(gaps[4:]) == {1.0}


async def test_a_trail_without_a_final_answer_in_time_stops_at_70_with_the_reason(deliveries, gateway, clock):
    dispatch = dispatch_on(deliveries, gateway, clock)
    item = await delivered_with_trail(dispatch, deliveries, gateway, clock, 105, 100, 110, 200, 301, 420)
    clock.advance(3600)
    await dispatch.follow_due()

    last = deliveries.events[-1]
    assert (last.status_code, last.authority_status_code) == (StatusCode.SEND_ERROR, "420")
    assert last.detail.startswith("no final answer from Digipoort after 1 h; the last status was 420")
    assert deliveries.rows[item].state == "failed"


async def test_a_kenmerk_the_gateway_lost_is_delivered_again_under_the_same_aanleverkenmerk(
    deliveries, gateway, clock, caplog
):
    caplog.set_level(logging.INFO)
    dispatch = dispatch_on(deliveries, gateway, clock)
    [item] = await take_in(dispatch, 1)
    await deliver_round(dispatch)
    kenmerk = deliveries.rows[item].kenmerk
    gateway.received.clear()  # the gateway restarted without its memory
    redeliveries = figures.REDELIVERIES._value.get()

    for _ in range(POLLING.unknown_polls_before_redelivery - 1):
        clock.advance(1)
        assert await dispatch.follow_due() == 1
        assert deliveries.rows[item].state == "sent"
    clock.advance(1)
    await dispatch.follow_due()

    assert deliveries.rows[item].state == "to_send"
    assert figures.REDELIVERIES._value.get() == redeliveries + 1
    assert f"does not know kenmerk {kenmerk} of dossier item {item} after 3 polls" in caplog.text
    assert await deliver_round(dispatch) == 1
    assert list(gateway.received) == [item.replace("-", "")], "the same aanleverkenmerk"
    gateway.trails[deliveries.rows[item].kenmerk] = trail(*HAPPY)
    clock.advance(1)
    await dispatch.follow_due()
    assert deliveries.codes(item)[-1] == 80


async def test_an_unreadable_approved_message_is_dead_lettered_with_its_coordinates(deliveries, gateway, clock):
    dispatch = dispatch_on(deliveries, gateway, clock)
    with structlog.testing.capture_logs() as logged:
        await dispatch.take_in([record(b"{not json", offset=0), record(approved(2), offset=1)])

    assert list(deliveries.rows) == [approved(2).dossier_item_id]
    [letter] = deliveries.dead_letters
    headers = dict(letter.headers)
    assert (letter.topic, letter.value) == ("messages.approved.dlq", b"{not json")
    assert headers[dead_letters.REASON_CODE] == "unreadable"
    assert "Invalid JSON" in headers[dead_letters.REASON]
    assert (
        headers[dead_letters.ORIGINAL_TOPIC],
        headers[dead_letters.ORIGINAL_PARTITION],
        headers[dead_letters.ORIGINAL_OFFSET],
    ) == ("messages.approved", "0", "0")
    assert [(e["log_level"], e["topic"], e["offset"], e["model"]) for e in logged] == [
        ("error", "messages.approved", 0, "MessageApproved")
    ]


async def test_a_delivery_whose_lease_was_taken_over_reports_nothing(deliveries, gateway, clock):
    dispatch = dispatch_on(deliveries, gateway, clock)
    [item] = await take_in(dispatch, 1)
    [stale] = await deliveries.claim(limit=1, lease=dispatch.lease)
    clock.advance(dispatch.lease.total_seconds())
    await deliver_round(dispatch)  # another process took it over and sent it

    await dispatch.deliver(stale)

    assert deliveries.codes(item) == [60]
    assert len(gateway.received) == 1


async def test_status_polls_the_gateway_keeps_refusing_back_off_instead_of_asking_every_moment(
    deliveries, gateway, clock
):
    dispatch = dispatch_on(deliveries, gateway, clock)
    [item] = await take_in(dispatch, 1)
    await deliver_round(dispatch)

    async def refused(kenmerken):
        raise PermanentGatewayError("HTTP 403", "certificaat verlopen")

    gateway.statuses = refused
    waits = []
    for _ in range(6):
        clock.advance(2)
        await dispatch.follow_due()
        waits.append((deliveries.rows[item].next_poll_at - clock()).total_seconds())

    assert waits == [0.2, 0.4, 0.8, 1.0, 1.0, 1.0], "doubling up to the cap, as the polls of one delivery do"


async def test_the_status_loop_waits_until_the_first_delivery_is_due_and_when_idle_for_a_send_to_wake_it(
    deliveries, gateway, clock
):
    dispatch = dispatch_on(deliveries, gateway, clock)
    assert await dispatch.until_next_poll() == use_cases.IDLE_WAIT  # nothing sent: a send of its own wakes it
    await take_in(dispatch, 1)
    assert not dispatch._sent_now.is_set()
    await deliver_round(dispatch)  # sent now, first due 0.1 s from now
    assert dispatch._sent_now.is_set(), "the status loop is woken for the first poll"
    clock.advance(0.07)
    assert await dispatch.until_next_poll() == pytest.approx(0.03)
    clock.advance(0.05)
    assert await dispatch.until_next_poll() == use_cases.MIN_POLL_WAIT_SECONDS  # overdue: at once, without spinning


async def test_an_idle_delivery_loop_sleeps_until_the_next_delivery_is_due(deliveries, gateway, clock):
    dispatch = dispatch_on(deliveries, gateway, clock)
    assert await dispatch.until_next_attempt() == use_cases.IDLE_WAIT  # nothing to send: new ones wake it
    [item] = await take_in(dispatch, 1)
    assert await dispatch.until_next_attempt() == use_cases.MIN_POLL_WAIT_SECONDS  # due now
    deliveries.rows[item].next_at = clock() + timedelta(seconds=12)  # a retry, later
    assert await dispatch.until_next_attempt() == pytest.approx(12)
