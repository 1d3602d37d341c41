"""The breaker's record: every change of state reaches this process's row (with since when and why) and the
gauge, a heartbeat renews the row, an unwritable record never stops the breaker, a clean stop removes it."""

import asyncio
import contextlib

from prometheus_client import REGISTRY

from services.dispatch.breaker import GatewayBreaker
from services.dispatch.breaker_record import BreakerRecorder
from services.dispatch.gateway import FakeGateway
from tests.support.clock import FakeClock

from .fakes import InMemoryBreakerStates
from .test_dispatch_breaker import COOLDOWN, REQUEST, fail_times


def gauge() -> dict[str, float | None]:  # None: no such sample (yet)
    return {
        state: REGISTRY.get_sample_value("accordeer_gateway_breaker_state", {"state": state})
        for state in ("closed", "half-open", "open")
    }


async def settled(states: InMemoryBreakerStates, writes: int) -> None:
    for _ in range(100):
        if len(states.saved) >= writes:
            return
        await asyncio.sleep(0.001)


async def test_each_change_is_written_to_the_process_row_and_shown_on_the_gauge():
    states, clock, gateway = InMemoryBreakerStates(), FakeClock(), FakeGateway()
    recorder = BreakerRecorder(states, "host:1", clock=clock, heartbeat=60)
    breaker = GatewayBreaker(threshold=2, cooldown=COOLDOWN, on_change=recorder.changed)
    recording = asyncio.create_task(recorder.record_forever())
    try:
        await settled(states, 1)
        assert states.rows["host:1"].state == "closed" and gauge()["closed"] == 1

        clock.advance(7)
        await fail_times(breaker, gateway, 2)
        await settled(states, 2)
        opened = states.rows["host:1"]
        assert (opened.state, opened.since) == ("open", clock.now)
        assert opened.reason.startswith("2 failures in a row") and "503" in opened.reason
        assert gauge() == {"closed": 0, "half-open": 0, "open": 1}

        await asyncio.sleep(COOLDOWN * 1.2)
        await breaker.call(lambda: gateway.deliver(REQUEST))
        await settled(states, 3)
        # half-open and closed came within one call: the row holds the latest, not every step
        assert [s.state for s in states.saved] == ["closed", "open", "closed"]
        assert states.rows["host:1"].reason is None and gauge()["closed"] == 1
    finally:
        recording.cancel()


async def test_the_row_is_renewed_without_changes_and_a_failed_write_is_tried_again():
    states = InMemoryBreakerStates(down=True)
    recorder = BreakerRecorder(states, "host:2", heartbeat=0.01)
    recording = asyncio.create_task(recorder.record_forever())
    await asyncio.sleep(0.03)
    assert not recording.done() and states.saved == []
    states.down = False
    await settled(states, 3)
    recording.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await recording
    assert {s.state for s in states.saved} == {"closed"} and len(states.saved) >= 3


async def test_a_clean_stop_removes_the_process_row():
    states = InMemoryBreakerStates()
    recorder = BreakerRecorder(states, "host:3")
    await recorder.record()
    await recorder.forget()
    assert states.rows == {}
