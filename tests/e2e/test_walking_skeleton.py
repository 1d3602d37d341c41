"""The thin path through all three services on real Kafka, PostgreSQL and the mocked gateway."""

import pytest

from shared.contracts.status import StatusCode
from tests.support.declarations import example

pytestmark = pytest.mark.e2e

CLIENT_TASK = "Beoordelen aangifte klant"


async def test_declaration_is_approved_filed_once_and_accepted(system):
    system.start("digipoort_mock", "intake", "workflow", "dispatch")
    declaration = example("btw_aangifte", message_id="skeleton-1")
    await system.submit(declaration)

    item_id = (
        await system.db.fetchval("SELECT id::text FROM intake.dossier_items WHERE message_id = 'skeleton-1'") or ""
    )
    await system.wait_for(lambda: any(e.status_code == StatusCode.IN_WORKFLOW for e in system.events), what="30")
    item_id = next(e.dossier_item_id for e in system.events if e.status_code == StatusCode.IN_WORKFLOW)
    await system.act(item_id, CLIENT_TASK, "Goedkeuren bericht", "sanne.vandijk")
    await system.wait_for(lambda: StatusCode.ACCEPTED_BY_AUTHORITY in system.statuses_of(item_id), what="80")

    rows = await system.db.fetch("SELECT * FROM intake.dossier_items WHERE message_id = 'skeleton-1'")
    assert [str(r["id"]) for r in rows] == [item_id]
    assert rows[0]["organisation_person_id"] == "ORG-10045"
    assert rows[0]["characteristics"] == {"periode": "2025-01", "frequentie": "maand"}

    message_events = [int(e.status_code) for e in system.events if e.message_id == "skeleton-1"]
    ours = [c for c in message_events if c in (10, 20, 30, 50, 60, 80)]
    assert ours[:5] == [10, 20, 30, 50, 60] and ours[-1] == 80
    assert sorted(set(ours), key=ours.index) == [10, 20, 30, 50, 60, 80]

    received = await system.gateway("GET", "/_admin/received")
    assert received["per_aanleverkenmerk"] == {item_id.replace("-", ""): 1}
    delivery = received["deliveries"][0]
    assert delivery["berichtsoort"] == "Omzetbelasting"

    history = await system.db.fetch(
        "SELECT actor, action, from_task, to_task, to_status FROM workflow.audit"
        " WHERE dossier_item_id = $1 ORDER BY id",
        item_id,
    )
    assert [(h["actor"], h["action"], h["to_status"]) for h in history] == [
        ("accordeer", "Workflow gestart", 30),
        ("sanne.vandijk", "Goedkeuren bericht", 50),
    ]


async def test_rejected_declaration_stops_at_40_and_is_never_filed(system):
    system.start("digipoort_mock", "intake", "workflow", "dispatch")
    await system.submit(example("kvk_stukken", message_id="skeleton-2"))
    await system.wait_for(lambda: any(e.status_code == StatusCode.IN_WORKFLOW for e in system.events), what="30")
    item_id = next(e.dossier_item_id for e in system.events if e.status_code == StatusCode.IN_WORKFLOW)

    await system.act(item_id, CLIENT_TASK, "Afkeuren bericht", "sanne.vandijk", comment="bedrag klopt niet")
    await system.wait_for(lambda: StatusCode.REJECTED in system.statuses_of(item_id), what="40")

    rejected = next(e for e in system.events if e.status_code == StatusCode.REJECTED)
    assert rejected.detail == "Afkeuren bericht by sanne.vandijk; rejected: bedrag klopt niet"  # 40 carries the reason
    assert (await system.gateway("GET", "/_admin/received"))["total_deliveries"] == 0
    assert await system.db.fetchval("SELECT count(*) FROM dispatch.deliveries") == 0
