"""The gateway's counts across its restarts, and which aanleverkenmerk belongs to which dossier item."""

from accordeer.chaos.observe import GatewayCounts, kenmerken_per_item


def _received(per_kenmerk: dict[str, int], attempts: int) -> dict:
    return {"per_aanleverkenmerk": per_kenmerk, "total_attempts": attempts}


def test_a_delivery_registered_again_after_the_gateway_forgot_it_is_counted_once():
    counts = GatewayCounts()
    counts.take(_received({"k1": 1, "k2": 1}, 3))
    counts.restarted()
    counts.take(_received({"k1": 1}, 1))
    assert counts.per_aanleverkenmerk() == {"k1": 1, "k2": 1}
    assert counts.total_attempts == 4 and len(counts.lifetimes) == 2


def test_a_second_registration_within_one_lifetime_shows():
    counts = GatewayCounts()
    counts.take(_received({"k1": 2}, 2))
    assert counts.per_aanleverkenmerk() == {"k1": 2}


def test_aanleverkenmerken_map_to_their_items_by_the_item_id_without_dashes():
    item = "0b7e3f0c-1a2b-4c3d-8e9f-001122334455"
    compact = item.replace("-", "")
    per_item, strangers = kenmerken_per_item({compact: 1, compact + "-2": 1, "somethingelse": 1}, {item})
    assert per_item == {item: {compact, compact + "-2"}}
    assert strangers == ["somethingelse"]
