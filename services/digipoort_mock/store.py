"""In-memory record of what the mock gateway received, idempotent on aanleverkenmerk.

No locks: every method runs without awaiting, so on one event loop each call is atomic.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Delivery:
    kenmerk: str
    aanleverkenmerk: str
    berichtsoort: str
    trail: str
    received_at: datetime
    eerder_aanleverkenmerk: str | None = None


class DeliveryStore:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._by_aanleverkenmerk: dict[str, Delivery] = {}
        self._by_kenmerk: dict[str, Delivery] = {}
        self._attempts: Counter[str] = Counter()

    def accept(self, aanleverkenmerk: str, new_delivery: Callable[[], Delivery]) -> Delivery:
        """Count the attempt; record a new delivery only the first time this aanleverkenmerk is seen."""
        self._attempts[aanleverkenmerk] += 1
        existing = self._by_aanleverkenmerk.get(aanleverkenmerk)
        if existing is not None:
            return existing
        delivery = new_delivery()
        self._by_aanleverkenmerk[aanleverkenmerk] = delivery
        self._by_kenmerk[delivery.kenmerk] = delivery
        return delivery

    def by_kenmerk(self, kenmerk: str) -> Delivery | None:
        return self._by_kenmerk.get(kenmerk)

    def deliveries(self) -> list[Delivery]:
        return list(self._by_aanleverkenmerk.values())

    def attempts(self) -> dict[str, int]:
        return dict(self._attempts)
