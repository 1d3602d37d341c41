"""Fault injection: how slow and unreliable the mock gateway is, and the dice that decide each request.

The configuration is a pydantic model because it arrives over the admin API and from settings; the
decisions are plain functions of it and a seeded random generator, so tests can replay them.
"""

import random
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


class FaultConfig(BaseModel):
    """Faults apply to /aanleveren and the status endpoints, never to /_admin or /health."""

    model_config = ConfigDict(extra="forbid")

    latency_ms: int = Field(default=0, ge=0, description="Delay before every answer, in milliseconds.")
    latency_jitter_ms: int = Field(
        default=0, ge=0, description="Random extra delay of 0..this many milliseconds on top of latency_ms."
    )
    error_rate: float = Field(
        default=0.0, ge=0, le=1, description="Share of requests answered 503 before anything is recorded."
    )
    drop_rate: float = Field(
        default=0.0, ge=0, le=1, description="Share of requests whose connection is closed without an answer."
    )
    drop_after_accept_rate: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="Share of deliveries that are recorded and then have their connection closed without an answer.",
    )
    outage: bool = Field(default=False, description="Answer every request 503 at once.")
    seed: int | None = Field(default=None, description="Seed for the fault dice; unset means unpredictable.")


class Fault(Enum):
    OUTAGE = "outage"
    ERROR = "error"
    DROP = "drop"


class FaultInjector:
    """Holds the current fault configuration and rolls the dice for each request."""

    def __init__(self, config: FaultConfig) -> None:
        self.configure(config)

    def configure(self, config: FaultConfig) -> None:
        self.config = config
        self._random = random.Random(config.seed)

    def delay_seconds(self) -> float:
        jitter = self._random.uniform(0, self.config.latency_jitter_ms) if self.config.latency_jitter_ms else 0.0
        return (self.config.latency_ms + jitter) / 1000

    def is_outage(self) -> bool:
        return self.config.outage

    def fault_before_handling(self) -> Fault | None:
        """The fault, if any, that stops this request before it changes anything."""
        if self.config.outage:
            return Fault.OUTAGE
        if self._roll(self.config.error_rate):
            return Fault.ERROR
        if self._roll(self.config.drop_rate):
            return Fault.DROP
        return None

    def drop_after_accept(self) -> bool:
        return self._roll(self.config.drop_after_accept_rate)

    def _roll(self, rate: float) -> bool:
        # random() is in [0, 1), so rate 0 never fires and rate 1 always does.
        return self._random.random() < rate
