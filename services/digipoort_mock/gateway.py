"""The mock gateway's use cases: take a delivery, report its status trail. No HTTP here."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from services.digipoort_mock.store import Delivery, DeliveryStore
from services.digipoort_mock.trails import TimedStatus, TrailRouting, choose_trail, visible_statuses

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_kenmerk() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class StatusReport:
    delivery: Delivery
    statuses: list[TimedStatus]

    @property
    def final(self) -> bool:
        return bool(self.statuses) and self.statuses[-1].status.outcome.final


class Gateway:
    def __init__(
        self,
        routing: TrailRouting,
        seconds_per_step: float,
        clock: Clock = utc_now,
        store: DeliveryStore | None = None,
    ) -> None:
        self.initial_routing = routing
        self.routing = routing
        self.seconds_per_step = seconds_per_step
        self.clock = clock
        self.store = store or DeliveryStore()

    def deliver(
        self, aanleverkenmerk: str, berichtsoort: str, content: bytes, eerder_aanleverkenmerk: str | None = None
    ) -> Delivery:
        """Record a delivery, or return the first one made under this aanleverkenmerk.

        Raises UnknownTrail (before anything is recorded) when the content names a trail that does not exist.
        """
        trail = choose_trail(content, berichtsoort, self.routing)
        return self.store.accept(
            aanleverkenmerk,
            lambda: Delivery(new_kenmerk(), aanleverkenmerk, berichtsoort, trail, self.clock(), eerder_aanleverkenmerk),
        )

    def report(self, kenmerk: str) -> StatusReport | None:
        delivery = self.store.by_kenmerk(kenmerk)
        if delivery is None:
            return None
        statuses = visible_statuses(delivery.trail, delivery.received_at, self.clock(), self.seconds_per_step)
        return StatusReport(delivery, statuses)

    def reset(self) -> None:
        self.store.reset()
        self.routing = self.initial_routing
