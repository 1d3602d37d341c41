"""Crashes: a service killed with SIGKILL mid-batch loses nothing and doubles nothing after a restart."""

import asyncio
import json

import pytest

from tests.support.declarations import example

pytestmark = pytest.mark.e2e

DECLARATIONS = 2000


async def _read_until(system, topic: str, expect: int, key: str, complete, timeout: float = 60) -> list:
    """The topic's records once ``complete`` holds for the set of their ``key`` field: a crash between the relay's
    publishing and its deleting publishes some records twice, so ``expect`` records can be there before the last of
    the others are."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        records = await system.read_topic(topic, expect=expect)
        if complete({json.loads(r.value)[key] for r in records}) or asyncio.get_running_loop().time() > deadline:
            return records
        await asyncio.sleep(0.5)


async def _count(system, sql: str) -> int:
    return await system.db.fetchval(sql)


async def test_intake_killed_mid_batch_stores_every_declaration_exactly_once(system):
    declarations = [example("loonheffing", message_id=f"crash-{n:05d}") for n in range(DECLARATIONS)]
    await system.submit(*declarations)
    small_batches = {"ACCORDEER_BATCH_MAX_RECORDS": "50"}
    intake = system.services.start_service("intake", **small_batches)

    stored = 0
    for _ in range(600):
        stored = await _count(system, "SELECT count(*) FROM intake.declarations")
        if stored >= 100:
            break
        await asyncio.sleep(0.05)
    intake.kill()
    assert 0 < stored < DECLARATIONS, f"the kill must land mid-run, but {stored} were stored"

    system.services.start_service("intake", **small_batches)
    for _ in range(1200):
        if await _count(system, "SELECT count(*) FROM intake.declarations") == DECLARATIONS:
            break
        await asyncio.sleep(0.1)

    assert await _count(system, "SELECT count(*) FROM intake.declarations") == DECLARATIONS
    assert await _count(system, "SELECT count(DISTINCT message_id) FROM intake.dossier_items") == DECLARATIONS
    assert await _count(system, "SELECT count(*) FROM intake.dossier_items") == DECLARATIONS

    stored_ids = {str(r["id"]) for r in await system.db.fetch("SELECT id FROM intake.dossier_items")}
    items = await _read_until(
        system, system.topics.dossier_items, DECLARATIONS, "dossier_item_id", lambda ids: ids == stored_ids
    )
    assert {json.loads(r.value)["dossier_item_id"] for r in items} == stored_ids
    message_ids = {d["message_id"] for d in declarations}
    registered = await _read_until(
        system, system.topics.status, 2 * DECLARATIONS, "message_id", lambda ids: message_ids <= ids
    )
    events = [json.loads(r.value) for r in registered]
    assert {e["message_id"] for e in events if e["status_code"] == 10} == message_ids
    # The relay may publish a record again after a crash; the event id makes such a repeat recognisable.
    ten = [e for e in events if e["status_code"] == 10]
    assert len({e["event_id"] for e in ten}) == DECLARATIONS
    assert await _count(system, "SELECT count(*) FROM intake.outbox") == 0
