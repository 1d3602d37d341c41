"""Where this dispatch process's gateway breaker stands, kept where operators look.

A row per process in ``dispatch.breaker_states``, written on every change and
renewed as a heartbeat (a row no longer renewed belongs to a process gone; a
clean stop removes its row), and the ``accordeer_gateway_breaker_state`` gauge
on dispatch's /metrics.
"""

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import asyncpg

from shared import metrics
from shared.loops import run_forever

log = logging.getLogger(__name__)

STATES = ("closed", "half-open", "open")
HEARTBEAT = 10.0
"""Seconds between renewals of the row; readers call a row gone after a few missed ones."""
UPSERT = """
INSERT INTO dispatch.breaker_states (process, state, since, reason, seen_at) VALUES ($1, $2, $3, $4, now())
ON CONFLICT (process) DO UPDATE SET state = $2, since = $3, reason = $4, seen_at = now()
"""


@dataclass(frozen=True)
class BreakerState:
    state: str
    since: datetime
    reason: str | None = None


class BreakerStates(Protocol):
    async def save(self, process: str, state: BreakerState) -> None: ...

    async def forget(self, process: str) -> None: ...


class PostgresBreakerStates:
    def __init__(self, pool: Callable[[], asyncpg.Pool]):
        self._pool = pool

    async def save(self, process: str, state: BreakerState) -> None:
        await self._pool().execute(UPSERT, process, state.state, state.since, state.reason)

    async def forget(self, process: str) -> None:
        await self._pool().execute("DELETE FROM dispatch.breaker_states WHERE process = $1", process)


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class BreakerRecorder:
    """`changed` is the breaker's ``on_change``; `record_forever` writes each change and the heartbeat."""

    def __init__(
        self,
        states: BreakerStates,
        process: str | None = None,
        *,
        heartbeat: float = HEARTBEAT,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.states, self.process, self.heartbeat, self._clock = states, process or this_process(), heartbeat, clock
        self.current = BreakerState("closed", clock())
        self._changed = asyncio.Event()
        _show(self.current.state)

    def changed(self, state: str, reason: str | None) -> None:
        self.current = BreakerState(state, self._clock(), reason)
        _show(state)
        self._changed.set()

    async def record_forever(self) -> None:
        async def one_round() -> None:
            self._changed.clear()
            await self.record()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.heartbeat):  # not wait_for: it can swallow a cancellation on 3.11
                    await self._changed.wait()

        await run_forever("recording the gateway breaker's state", one_round)

    async def record(self) -> None:
        await self._safely(self.states.save(self.process, self.current))

    async def forget(self) -> None:
        await self._safely(self.states.forget(self.process))

    async def _safely(self, write: Awaitable[None]) -> None:
        try:
            await write
        except Exception as exc:
            log.warning("gateway breaker state not recorded (%s: %s)", type(exc).__name__, exc)


def _show(state: str) -> None:
    for name in STATES:
        metrics.GATEWAY_BREAKER.labels(state=name).set(int(name == state))
