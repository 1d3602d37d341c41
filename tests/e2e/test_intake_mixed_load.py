"""A thousand valid and a thousand invalid declarations in one topic, read by two intake processes."""

import asyncio
import json
import random

import pytest

from tests.support.declarations import example

pytestmark = pytest.mark.e2e

EACH = 1000


def _invalid(n: int) -> tuple[str | None, bytes]:
    message_id = f"bad-{n:04d}"
    kinds = [
        lambda: json.dumps(example("btw_aangifte", message_id=message_id, source="niemand")).encode(),
        lambda: json.dumps(example("btw_aangifte", message_id=message_id, destinations=[])).encode(),
        lambda: json.dumps(example("btw_aangifte", message_id=message_id, extra_field=1)).encode(),
        lambda: json.dumps(example("btw_aangifte", message_id=message_id, schema_version=7)).encode(),
        lambda: b"{not json at all",
        lambda: b"\x80\x81\x82",
        lambda: json.dumps(
            example("loonheffing", message_id=message_id, attachment={"file_name": "a.pdf", "location": "D:\\a.pdf"})
        ).encode(),
    ]
    return message_id, kinds[n % len(kinds)]()


async def test_valid_stored_once_invalid_dead_lettered(system):
    valid = [
        (f"good-{n:04d}", json.dumps(example("btw_aangifte", message_id=f"good-{n:04d}")).encode()) for n in range(EACH)
    ]
    invalid = [_invalid(n) for n in range(EACH)]
    records = valid + invalid
    random.Random(7).shuffle(records)
    system.services.start_service("intake", instance="a")
    system.services.start_service("intake", instance="b")
    await system.publish(system.topics.inbound, records)

    dlq = await system.read_topic(system.topics.inbound_dlq, expect=EACH, timeout=120)
    for _ in range(600):
        if await system.db.fetchval("SELECT count(*) FROM intake.declarations") >= EACH:
            break
        await asyncio.sleep(0.1)
    stored = {r["message_id"] for r in await system.db.fetch("SELECT message_id FROM intake.dossier_items")}
    assert await system.db.fetchval("SELECT count(*) FROM intake.dossier_items") == EACH
    assert stored == {m for m, _ in valid}
    assert len(dlq) == EACH
    origins = {
        (dict(r.headers)["accordeer-original-partition"], dict(r.headers)["accordeer-original-offset"]) for r in dlq
    }
    assert len(origins) == EACH  # each invalid record dead-lettered once
    assert sorted(r.value for r in dlq) == sorted(value for _, value in invalid)
