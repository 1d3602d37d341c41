"""Dispatch end to end, on real Kafka, PostgreSQL and the mocked gateway: every trail the gateway can take
ends in the right product status, with the authority's own code alongside: 80 accepted, 90 only when the
message itself is rejected (311, 321, 510), 70 for what failed on the way (210, 230, 410, a refused delivery)."""

import asyncio
import re

import pytest

from shared.contracts.status import StatusCode
from tests.support.declarations import example
from tests.support.documents import document_with_marker

pytestmark = pytest.mark.e2e

CLIENT_TASK = "Beoordelen aangifte klant"

# marker in the document → (the status it ends at, the authority's code on it, the gateway's codes reported)
TRAILS = {
    "510": (90, "510", ["105", "100", "110", "200", "301", "405", "400", "510"]),
    "311": (90, "311", ["105", "100", "110", "311"]),
    "321": (90, "321", ["105", "100", "110", "321"]),
    "210": (70, "210", ["105", "100", "210"]),
    "230": (70, "230", ["105", "100", "110", "230"]),
    "410": (70, "410", ["105", "100", "110", "200", "301", "410"]),
    "420": (80, "500", ["105", "100", "110", "200", "301", "420", "405", "400", "500"]),  # the gateway retried itself
    "999": (70, "AL-VALIDATIE", []),  # no such trail: the gateway refuses the delivery itself (HTTP 400)
}
FOUTCODES = {
    "510": "UP100001",
    "311": "VAL0001",
    "321": "VAL0002",
    "210": "ATH0001",
    "230": "ATH0002",
    "410": "AFL0001",
}
SETTLED = (
    "SELECT dossier_item_id::text AS id, state, status_code FROM dispatch.deliveries WHERE state IN ('final', 'failed')"
)


def trail_codes(detail: str) -> list[str]:
    """The gateway codes one event sums up: "500 ... (after 105, 100, ...)" → 105, 100, ..., 500."""
    earlier = re.search(r" \(after ([\d, ]+)\)$", detail)
    return [*(earlier.group(1).split(", ") if earlier else []), detail.split()[0]]


def with_marker(marker: str) -> dict:
    content = document_with_marker("btw-aangifte", marker)
    declaration = example("btw_aangifte", message_id=f"trail-{marker}")
    declaration["document"] = {**declaration["document"], "content_base64": content}
    return declaration


async def test_every_gateway_trail_ends_in_the_right_status_with_the_authoritys_code(system):
    system.start("digipoort_mock", "intake", "workflow", "dispatch")
    await system.submit(*(with_marker(m) for m in TRAILS))
    message_ids = {f"trail-{m}" for m in TRAILS}

    def in_workflow() -> dict[str, str]:
        return {
            e.message_id: e.dossier_item_id
            for e in system.events
            if e.status_code == StatusCode.IN_WORKFLOW and e.message_id in message_ids
        }

    await system.wait_for(lambda: len(in_workflow()) == len(TRAILS), timeout=60, what="30 for every declaration")
    items = {message_id.removeprefix("trail-"): item for message_id, item in in_workflow().items()}
    for item in items.values():
        await system.act(item, CLIENT_TASK, "Goedkeuren bericht", "sanne.vandijk")

    def last(item: str):
        events = [e for e in system.events if e.dossier_item_id == item]
        return events[-1] if events else None

    async def settled() -> bool:
        return len(await system.db.fetch(SETTLED)) == len(items)

    deadline = asyncio.get_running_loop().time() + 60
    while not await settled():
        assert asyncio.get_running_loop().time() < deadline, f"not every item settled\n{system.logs()}"
        await asyncio.sleep(0.2)
    await system.wait_for(
        lambda: all(int(last(i).status_code) in (70, 80, 90) for i in items.values()),
        timeout=30,
        what="the settled statuses on messages.status",
    )

    for marker, item in items.items():
        status, authority_code, gateway_codes = TRAILS[marker]
        events = list({e.event_id: e for e in system.events if e.dossier_item_id == item}.values())
        assert (int(last(item).status_code), last(item).authority_status_code) == (status, authority_code), marker
        # One event per poll with news; together their details name the whole trail, in order.
        trail_events = [
            e
            for e in events
            if int(e.status_code) >= 60 and e.authority_status_code and e.authority_status_code[0].isdigit()
        ]
        assert [code for e in trail_events for code in trail_codes(e.detail)] == gateway_codes, marker
        if marker in FOUTCODES:
            assert FOUTCODES[marker] in last(item).detail, marker

    received = await system.gateway("GET", "/_admin/received")
    filed = {marker: item.replace("-", "") for marker, item in items.items() if marker != "999"}
    assert received["per_aanleverkenmerk"] == dict.fromkeys(filed.values(), 1)
    assert {d["aanleverkenmerk"]: d["trail"] for d in received["deliveries"]} == {
        kenmerk: marker for marker, kenmerk in filed.items()
    }
    rows = await system.db.fetch(
        "SELECT dossier_item_id::text AS id, state, status_code, gateway_code, last_error FROM dispatch.deliveries"
    )
    assert {r["id"]: (r["state"], r["status_code"]) for r in rows} == {
        item: ("failed" if TRAILS[marker][0] == 70 else "final", TRAILS[marker][0]) for marker, item in items.items()
    }
    for row in rows:  # what operators see of a 70: the gateway's code, its text, and what to do
        if row["state"] == "failed":
            assert (
                row["gateway_code"] in ("210", "230", "410", "AL-VALIDATIE") and "accordeer resend" in row["last_error"]
            )
