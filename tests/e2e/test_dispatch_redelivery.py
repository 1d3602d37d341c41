"""The gateway restarts and loses its memory while deliveries are in flight: dispatch hears that it does not know
their kenmerken, delivers each again under the same aanleverkenmerk after a few polls (with a log line), and every
item still ends at 80 with exactly one registered delivery per aanleverkenmerk. And an unreadable record on
messages.approved goes to messages.approved.dlq with its reason and coordinates."""

import pytest

from shared import dead_letters
from tests.e2e.test_dispatch_faults import approve, dispatch_log, events_by_item

pytestmark = pytest.mark.e2e


async def test_a_gateway_that_lost_its_memory_gets_every_delivery_again_and_all_end_at_80(system):
    system.services.env["DIGIPOORT_MOCK_SECONDS_PER_STEP"] = "2"  # a trail of 14 s: they are in flight
    # Polls at most 2 s apart: the three unknown answers before a redelivery come within seconds of the restart,
    # not after the backoff has grown to tens of seconds (the same behaviour, a shorter test).
    system.services.env["ACCORDEER_DISPATCH_POLL_MAX_SECONDS"] = "2"
    system.start("digipoort_mock", "intake", "workflow", "dispatch")
    items = await approve(system, "amnesia", 20)

    def delivered() -> int:
        index = events_by_item(system)
        return sum(
            1 for i in items if any(e.authority_status_code is None for e in index.get(i, {}).get(60, {}).values())
        )

    await system.wait_for(lambda: delivered() == len(items), timeout=60, what="every item delivered")
    gateway = system.services.processes["digipoort_mock"]
    gateway.stop()
    system.services.start_gateway()  # a new process: it knows nothing of what it received

    await system.wait_for(
        lambda: all(80 in events_by_item(system).get(i, {}) for i in items), timeout=120, what="80 for every item"
    )
    received = await system.gateway("GET", "/_admin/received")
    in_flight = {i.replace("-", "") for i in items}
    assert received["per_aanleverkenmerk"] == dict.fromkeys(in_flight, 1)
    assert all(n == 1 for n in received["attempts_per_aanleverkenmerk"].values())
    assert "delivering it again under aanleverkenmerk" in dispatch_log(system)
    for item in items:
        index = events_by_item(system)[item]
        assert len(index[80]) == 1 and 90 not in index and 70 not in index, item
        # One Sent with the first kenmerk; a second only as the contract says: naming the lost kenmerk.
        deliveries = sorted(e.detail for e in index[60].values() if e.authority_status_code is None)
        [first] = [d for d in deliveries if d.startswith("delivered; gateway kenmerk ")]
        lost = first.removeprefix("delivered; gateway kenmerk ")
        again = [d for d in deliveries if d != first]
        assert len(again) <= 1 and all(
            d.startswith(f"delivered again: the gateway no longer knew kenmerk {lost}; gateway kenmerk ") for d in again
        ), deliveries


async def test_an_unreadable_approved_record_is_dead_lettered_with_its_reason_and_coordinates(system):
    system.start("dispatch")
    await system.publish(system.topics.approved, [("item-x", b'{"not": "an approved message"}')])

    [letter] = await system.read_topic(system.topics.approved_dlq, expect=1, timeout=60)
    headers = {k: v.decode() for k, v in letter.headers}
    assert (letter.key, letter.value) == (b"item-x", b'{"not": "an approved message"}')
    assert headers[dead_letters.REASON_CODE] == "unreadable"
    assert "dossier_item_id: Field required" in headers[dead_letters.REASON]
    assert headers[dead_letters.ORIGINAL_TOPIC] == system.topics.approved
    assert headers[dead_letters.ORIGINAL_OFFSET] == "0"
