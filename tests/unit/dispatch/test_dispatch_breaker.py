"""The circuit breaker in front of the gateway: opens after failures in a row, sends nothing while cooling
down, lets one probe through after it, and closes again on an answer."""

import asyncio
import logging

import pytest

from services.dispatch.breaker import CircuitOpen, GatewayBreaker
from services.dispatch.gateway import FakeGateway, PermanentGatewayError, TransientGatewayError

COOLDOWN = 0.05
REQUEST = {"aanleverkenmerk": "ak-1"}


async def fail_times(breaker: GatewayBreaker, gateway: FakeGateway, times: int) -> None:
    gateway.failures_left = times
    for _ in range(times):
        with pytest.raises(TransientGatewayError):
            await breaker.call(lambda: gateway.deliver(REQUEST))


async def test_a_closed_breaker_lets_all_wanted_calls_go():
    breaker = GatewayBreaker(threshold=3, cooldown=COOLDOWN)
    assert (breaker.state, breaker.allowance(16), breaker.retry_in()) == ("closed", 16, 0.0)


async def test_failures_in_a_row_open_it_and_then_nothing_reaches_the_gateway():
    breaker, gateway = GatewayBreaker(threshold=3, cooldown=10), FakeGateway()
    await fail_times(breaker, gateway, 3)

    assert breaker.is_open and breaker.allowance(16) == 0
    assert 9 < breaker.retry_in() <= 10
    with pytest.raises(CircuitOpen) as refused:
        await breaker.call(lambda: gateway.deliver(REQUEST))
    assert refused.value.retry_in > 9
    assert gateway.calls == 3 and gateway.received == {}


async def test_an_answer_between_failures_starts_the_count_again():
    breaker, gateway = GatewayBreaker(threshold=3, cooldown=COOLDOWN), FakeGateway()
    for _ in range(3):
        await fail_times(breaker, gateway, 2)
        await breaker.call(lambda: gateway.deliver(REQUEST))
    assert breaker.state == "closed"


async def test_refusals_are_answers_of_a_working_gateway_and_never_open_it():
    breaker = GatewayBreaker(threshold=2, cooldown=COOLDOWN)
    gateway = FakeGateway(refusal=PermanentGatewayError("AL-VALIDATIE", "fout"))
    for _ in range(5):
        with pytest.raises(PermanentGatewayError):
            await breaker.call(lambda: gateway.deliver(REQUEST))
    assert breaker.state == "closed"


async def test_after_the_cool_down_one_probe_goes_and_its_answer_closes_the_circuit():
    breaker, gateway = GatewayBreaker(threshold=2, cooldown=COOLDOWN), FakeGateway()
    await fail_times(breaker, gateway, 2)
    await asyncio.sleep(COOLDOWN * 1.2)
    assert breaker.allowance(16) == 1

    started = asyncio.Event()
    release = asyncio.Event()

    async def slow_answer():
        started.set()
        await release.wait()
        return await gateway.deliver(REQUEST)

    probe = asyncio.create_task(breaker.call(slow_answer))
    await started.wait()
    assert breaker.state == "half-opened" and breaker.allowance(16) == 0
    with pytest.raises(CircuitOpen):
        await breaker.call(lambda: gateway.deliver(REQUEST))
    release.set()
    await probe

    assert (breaker.state, breaker.allowance(16)) == ("closed", 16)
    assert gateway.calls == 3


async def test_a_failing_probe_opens_it_for_another_cool_down():
    breaker, gateway = GatewayBreaker(threshold=2, cooldown=COOLDOWN), FakeGateway()
    await fail_times(breaker, gateway, 2)
    await asyncio.sleep(COOLDOWN * 1.2)

    await fail_times(breaker, gateway, 1)

    assert breaker.state == "opened" and breaker.allowance(16) == 0
    assert breaker.retry_in() > COOLDOWN / 2


async def test_every_change_of_state_is_logged(caplog):
    caplog.set_level(logging.INFO, logger="services.dispatch.breaker")
    breaker, gateway = GatewayBreaker(threshold=2, cooldown=COOLDOWN), FakeGateway()
    await fail_times(breaker, gateway, 2)
    await asyncio.sleep(COOLDOWN * 1.2)
    await breaker.call(lambda: gateway.deliver(REQUEST))

    messages = [r.getMessage() for r in caplog.records]
    assert [m.split(":")[0] for m in messages] == [
        "communication service down (2 failures in a row, or a failed probe)",
        "cool-down over",
        "communication service answers again",
    ]
    assert caplog.records[0].levelno == logging.WARNING
