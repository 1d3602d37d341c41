"""`accordeer resend` end to end: items the gateway could not deliver (410) stop at 70; once the cause is fixed
an operator sends them again, also while dispatch is down (the request is kept), each as one new registered
delivery naming the one before; a second resend and a resend of an item not at 70 are refused in a sentence,
an unknown prefix is a usage error, and the status stream goes 70 → 60 → ... → 80."""

import json

import pytest

from tests.e2e.test_dispatch_faults import approve

pytestmark = pytest.mark.e2e


async def at_70(system, items: list[str]) -> None:
    async def settled() -> bool:
        rows = await system.db.fetch(
            "SELECT state FROM dispatch.deliveries WHERE dossier_item_id = ANY($1::uuid[])", items
        )
        return len(rows) == len(items) and all(r["state"] == "failed" for r in rows)

    await system.wait_for(
        lambda: all(system.statuses_of(i)[-1:] == [70] for i in items), timeout=90, what="70 for every item"
    )
    assert await settled()


async def test_an_item_at_70_is_sent_again_once_as_a_new_attempt_also_while_dispatch_is_down(system):
    system.start("digipoort_mock", "intake", "workflow", "dispatch")
    await system.gateway("PUT", "/_admin/trails", json={"default": "410"})  # the authority cannot be reached
    down_item, up_item = await approve(system, "resend", 2)
    await at_70(system, [down_item, up_item])
    [failed] = [e for e in system.events if e.dossier_item_id == down_item and int(e.status_code) == 70]
    assert failed.authority_status_code == "410" and "AFL0001" in failed.detail
    listed = await system.cli("resend", "--list")
    assert listed.returncode == 0, listed.stderr
    for item in (down_item, up_item):
        [line] = [line for line in listed.stdout.splitlines() if line.startswith(item)]
        assert "attempt 1  410" in line and "accordeer resend" in line, line
    nameless = await system.cli("resend")
    assert nameless.returncode == 2 and "name the dossier item to send again" in nameless.stderr

    system.services.processes["dispatch"].stop()
    await system.gateway("PUT", "/_admin/trails", json={"default": "500"})  # the cause is fixed

    waited = await system.cli("resend", down_item[:8], "--as-operator", "olga", "--wait", "1")
    assert waited.returncode == 3, waited.stderr
    assert "recorded (asked by olga): attempt 2" in waited.stdout and "has not sent it within 1s" in waited.stdout
    again = await system.cli("resend", down_item[:8], "--as-operator", "piet", "--no-wait")
    assert again.returncode == 1, again.stdout
    assert "a resend of dossier item" in again.stderr and "already under way: attempt 2" in again.stderr
    assert "Traceback" not in again.stderr
    unknown = await system.cli("resend", "ffffffff")
    assert unknown.returncode == 2 and "no dossier item has an id starting with 'ffffffff'" in unknown.stderr

    system.start("dispatch")
    await system.wait_for(lambda: system.statuses_of(down_item)[-1:] == [80], timeout=60, what="80 after the resend")
    sent_again = await system.cli("resend", up_item, "--wait", "30")
    assert sent_again.returncode == 0, sent_again.stderr
    assert "sent again: dossier item" in sent_again.stdout and "is now 80 Accepted by authority" in sent_again.stdout
    await system.wait_for(lambda: system.statuses_of(up_item)[-1:] == [80], timeout=60, what="80 after the resend")

    for item in (down_item, up_item):
        codes = system.statuses_of(item)
        after = codes[codes.index(70) :]
        assert after[:2] == [70, 60] and after[-1] == 80 and set(after[1:-1]) == {60}, codes
        assert codes.count(70) == 1
    not_at_70 = await system.cli("resend", up_item)
    assert not_at_70.returncode == 1 and "is at 80 Accepted by authority, not at 70" in not_at_70.stderr
    assert (await system.cli("resend", "--list")).stdout.strip() == "no item waits for a resend (none is stopped at 70)"

    received = await system.gateway("GET", "/_admin/received")
    first = {item: item.replace("-", "") for item in (down_item, up_item)}
    assert received["per_aanleverkenmerk"] == {
        **dict.fromkeys(first.values(), 1),
        **{f"{k}-2": 1 for k in first.values()},
    }
    assert {d["aanleverkenmerk"]: d["eerder_aanleverkenmerk"] for d in received["deliveries"]} == {
        **dict.fromkeys(first.values()),
        **{f"{k}-2": k for k in first.values()},
    }
    audit = await system.db.fetch(
        "SELECT dossier_item_id::text AS id, attempt, requested_by, failure,"
        " sent_at IS NOT NULL AS sent FROM dispatch.resends ORDER BY requested_at"
    )
    assert [(r["id"], r["attempt"], r["sent"]) for r in audit] == [(down_item, 2, True), (up_item, 2, True)]
    assert audit[0]["requested_by"] == "olga" and "410" in audit[0]["failure"]

    history = await system.cli("history", down_item[:8])
    assert history.returncode == 0, history.stderr
    kenmerk = first[down_item]
    [asked] = [line for line in history.stdout.splitlines() if "Resend, attempt 2" in line]
    assert " olga " in asked and f"aanleverkenmerk {kenmerk} → {kenmerk}-2; after: " in asked and "410" in asked
    assert "sent to the gateway at " in history.stdout.split(asked, 1)[1]
    as_json = json.loads((await system.cli("history", down_item, "--json")).stdout)
    assert [(r["attempt"], r["requested_by"]) for r in as_json["resends"]] == [(2, "olga")]
