"""The circuit breaker in front of the communication service (purgatory), shared by delivering and polling.

After ``threshold`` transient failures in a row the circuit opens: nothing is sent to the gateway for
``cooldown`` seconds. Then one call at a time goes through as a probe (half-open): an answer closes the
circuit and work resumes at full speed, another failure opens it for a new cool-down. A gateway that
answers with a refusal (4xx) is up, so only `TransientGatewayError` counts as a failure. Each change of state
goes to ``on_change`` in operators' words, with the reason (breaker_record.py keeps it where they look).
"""

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.messages import Event
from purgatory.domain.messages.events import ContextChanged
from purgatory.domain.model import CLOSED, HALF_OPENED, OPENED, Context, OpenedState

from services.dispatch.gateway import TransientGatewayError

log = logging.getLogger(__name__)

CIRCUIT = "communication-service"
T = TypeVar("T")
SHOWN = {CLOSED: "closed", OPENED: "open", HALF_OPENED: "half-open"}


class CircuitOpen(Exception):
    """The breaker refused the call: nothing was sent."""

    def __init__(self, retry_in: float):
        super().__init__(f"the communication service is considered down; next try in {retry_in:.1f}s")
        self.retry_in = retry_in


def _not_a_gateway_failure(exc: BaseException) -> bool:
    return not isinstance(exc, TransientGatewayError)


class GatewayBreaker:
    def __init__(
        self, *, threshold: int = 5, cooldown: float = 5.0, on_change: Callable[[str, str | None], None] | None = None
    ):
        self.threshold = threshold
        self.cooldown = cooldown
        self._factory = AsyncCircuitBreakerFactory(
            default_threshold=threshold,
            default_ttl=cooldown,
            exclude=[(BaseException, _not_a_gateway_failure)],
        )
        self._factory.add_listener(self._log_change)
        self._circuit: Context | None = None
        self._probing = False
        self._on_change = on_change
        self._last_error: str | None = None

    @property
    def state(self) -> str:
        """purgatory's name of the state: closed, opened or half-opened."""
        return self._circuit.state if self._circuit is not None else CLOSED

    @property
    def is_open(self) -> bool:
        """Whether the gateway is considered down (cooling down, or not yet proved up again by a probe)."""
        return self.state != CLOSED

    def retry_in(self) -> float:
        """Seconds left of the cool-down; 0 when calls (or a probe) may go."""
        if self._circuit is None or self._circuit.state != OPENED or self._circuit.opened_at is None:
            return 0.0
        return max(0.0, self._circuit.opened_at + self.cooldown - time.time())

    def allowance(self, wanted: int) -> int:
        """How many new calls may start now: all wanted when closed, none while cooling down, else one probe."""
        if not self.is_open:
            return wanted
        if self.retry_in() > 0 or self._probing:
            return 0
        return min(wanted, 1)

    async def call(self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run ``operation`` (one gateway call) through the breaker; raises `CircuitOpen` if it may not go."""
        breaker = await self._factory.get_breaker(CIRCUIT)
        self._circuit = breaker.context
        probe = self.is_open
        if probe and (self._probing or self.retry_in() > 0):
            raise CircuitOpen(self.retry_in())
        if probe:
            self._probing = True
        try:
            async with breaker:
                return await self._remembering_failures(operation)
        except OpenedState as exc:
            raise CircuitOpen(self.retry_in()) from exc
        finally:
            if probe:
                self._probing = False

    async def _remembering_failures(self, operation: Callable[[], Awaitable[T]]) -> T:
        # purgatory announces the new state before the failure leaves the breaker, so keep it for the reason.
        try:
            return await operation()
        except TransientGatewayError as exc:
            self._last_error = str(exc)
            raise

    def _log_change(self, circuit: str, event_type: str, event: Event) -> None:
        # Every state_changed comes with a ContextChanged: the check only tells the type checker so.
        if event_type != "state_changed" or not isinstance(event, ContextChanged):
            return
        reasons = {
            OPENED: f"{self.threshold} failures in a row, or a failed probe; last: {self._last_error}",
            HALF_OPENED: f"cool-down over, probing; last: {self._last_error}",
        }
        if self._on_change is not None:
            self._on_change(SHOWN[event.state], reasons.get(event.state))
        if event.state == OPENED:
            log.warning(
                "communication service down (%d failures in a row, or a failed probe): circuit open, "
                "no deliveries or polls for %.1fs",
                self.threshold,
                self.cooldown,
            )
        elif event.state == CLOSED:
            log.info("communication service answers again: circuit closed, resuming deliveries and polls")
        else:
            log.info("cool-down over: circuit half-open, probing the communication service with one call")
