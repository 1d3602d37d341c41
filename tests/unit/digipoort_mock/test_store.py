"""The in-memory store: one delivery per aanleverkenmerk, every attempt counted."""

from datetime import UTC, datetime

from services.digipoort_mock.store import Delivery, DeliveryStore

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def delivery(kenmerk: str, aanleverkenmerk: str = "AK-1") -> Delivery:
    return Delivery(kenmerk, aanleverkenmerk, "Omzetbelasting", "500", NOW)


def test_the_first_delivery_under_an_aanleverkenmerk_wins() -> None:
    store = DeliveryStore()
    first = store.accept("AK-1", lambda: delivery("K-1"))
    again = store.accept("AK-1", lambda: delivery("K-2"))
    assert again is first
    assert store.by_kenmerk("K-1") is first
    assert store.by_kenmerk("K-2") is None
    assert store.deliveries() == [first]
    assert store.attempts() == {"AK-1": 2}


def test_reset_forgets_everything() -> None:
    store = DeliveryStore()
    store.accept("AK-1", lambda: delivery("K-1"))
    store.reset()
    assert store.deliveries() == []
    assert store.attempts() == {}
    assert store.by_kenmerk("K-1") is None
