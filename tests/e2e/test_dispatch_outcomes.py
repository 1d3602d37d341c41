"""Dispatch end to end, on real Kafka, PostgreSQL and the mocked gateway: every trail the gateway can take
ends in the right product status, with the authority's own code alongside."""

import pytest

from shared.contracts.status import StatusCode
from tests.support.declarations import example
from tests.support.documents import document_with_marker

pytestmark = pytest.mark.e2e

CLIENT_TASK = "Beoordelen aangifte klant"

# marker in the document → (our final status, the authority's code on it, the gateway's codes we report)
TRAILS = {
    "510": (90, "510", ["105", "100", "110", "200", "301", "405", "400", "510"]),
    "311": (90, "311", ["105", "100", "110", "311"]),
    "210": (90, "210", ["105", "100", "210"]),
    "410": (90, "410", ["105", "100", "110", "200", "301", "410"]),
    "420": (80, "500", ["105", "100", "110", "200", "301", "420", "405", "400", "500"]),
    "999": (90, "AL-VALIDATIE", []),  # no such trail: the gateway refuses the delivery itself
}
FOUTCODES = {"510": "ALS100001", "311": "VAL0001", "210": "ATH0001", "410": "AFL0001"}


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
        return {e.message_id: e.dossier_item_id for e in system.events
                if e.status_code == StatusCode.IN_WORKFLOW and e.message_id in message_ids}

    await system.wait_for(lambda: len(in_workflow()) == len(TRAILS), timeout=60, what="30 for every declaration")
    items = {message_id.removeprefix("trail-"): item for message_id, item in in_workflow().items()}
    for item in items.values():
        await system.act(item, CLIENT_TASK, "Goedkeuren bericht", "sanne.vandijk")

    def final(item: str) -> list:
        return [e for e in system.events if e.dossier_item_id == item and e.status_code.is_final]

    await system.wait_for(lambda: all(final(item) for item in items.values()), timeout=60, what="a final status")

    for marker, item in items.items():
        status, authority_code, gateway_codes = TRAILS[marker]
        events = list({e.event_id: e for e in system.events if e.dossier_item_id == item}.values())
        [last] = final(item)
        assert (int(last.status_code), last.authority_status_code) == (status, authority_code), marker
        assert [e.authority_status_code for e in events if int(e.status_code) >= 60
                and e.authority_status_code and e.authority_status_code[0].isdigit()] == gateway_codes, marker
        if marker in FOUTCODES:
            assert FOUTCODES[marker] in last.detail, marker
        if marker == "420":  # the gateway's own retry is a send error we report, then it goes on
            assert [int(e.status_code) for e in events if e.authority_status_code == "420"] == [70]

    received = await system.gateway("GET", "/_admin/received")
    filed = {marker: item.replace("-", "") for marker, item in items.items() if marker != "999"}
    assert received["per_aanleverkenmerk"] == {kenmerk: 1 for kenmerk in filed.values()}
    assert {d["aanleverkenmerk"]: d["trail"] for d in received["deliveries"]} == {
        kenmerk: marker for marker, kenmerk in filed.items()}
    rows = await system.db.fetch("SELECT dossier_item_id::text AS id, state, status_code FROM dispatch.deliveries")
    assert {r["id"]: (r["state"], r["status_code"]) for r in rows} == {
        item: ("final", TRAILS[marker][0]) for marker, item in items.items()}
