"""Unreadable records of the internal topics are dead-lettered by each consumer that refused them, never dropped.

Each consumer of dossier.items, workflow.tasks and directory.parties is given a
record that is not what its topic carries, next to a good one: the bad one is
on ``<topic>.dlq`` once per consumer (with the reason, the error, the original
coordinates and who refused it), the good one is applied, and `accordeer dlq`
lists them.
"""

import asyncio
import json

import pytest

from accordeer.localstack.kafka import free_port
from shared import dead_letters
from tests.support.records import dossier_item_record

pytestmark = pytest.mark.e2e


def _workflow_logs_all_say(system, text: str) -> bool:
    logs = [
        p.log_path.read_text(errors="replace")
        for name, p in system.services.processes.items()
        if name.startswith("workflow") and p.log_path.exists()
    ]
    return len(logs) == 2 and all(text in log for log in logs)


def _headers(record) -> dict[str, str]:
    return {k: v.decode() for k, v in record.headers}


async def test_unreadable_internal_records_are_dead_lettered_once_per_consumer_and_the_rest_applied(system):
    topics = system.topics
    system.start("workflow", "notifier")
    system.services.start_service("workflow", instance="2")  # reads the directory too: still one letter per service
    system.services.start_service("portal", ACCORDEER_PORTAL_PORT=str(free_port()))
    item_id, item = dossier_item_record(topics)
    await system.publish(
        topics.dossier_items, [(item_id, b'{"dossier_item_id": "not a dossier item"}'), (item_id, item.value)]
    )
    await system.publish(topics.tasks, [(item_id, b"not a task event")])
    # Both workflow processes follow the directory before the broken party arrives, so both read it (a process
    # starting later would begin past it, at the position the other one stored).
    await system.wait_for(lambda: _workflow_logs_all_say(system, "FastStream app started"), what="both workflows")
    await asyncio.sleep(3)
    await system.publish(topics.directory, [("ORG-BROKEN", b'{"organisation_person_id": "ORG-BROKEN"}')])

    await system.wait_for(
        lambda: 20 in system.statuses_of(item_id) or 30 in system.statuses_of(item_id),
        what="the good dossier item taken in behind the bad one",
    )
    groups = {name: topics.group(name) for name in ("workflow", "notifier", "portal")}
    expected = {
        topics.dossier_items_dlq: {groups["workflow"], groups["portal"]},
        topics.tasks_dlq: {groups["notifier"], groups["portal"]},
        topics.directory_dlq: {"workflow", "notifier", "portal"},
    }  # the directory: once per service
    await system.wait_for(
        lambda: _workflow_logs_all_say(system, "unreadable directory record"),
        what="both workflow processes to read the broken party",
    )
    for dlq, refused_by in expected.items():
        letters = await system.read_topic(dlq, expect=len(refused_by), timeout=60)
        headers = [_headers(r) for r in letters]
        assert sorted(h[dead_letters.REFUSED_BY] for h in headers) == sorted(refused_by), (dlq, headers)
        original = dlq.removesuffix(".dlq")
        for record, h in zip(letters, headers, strict=True):
            assert h[dead_letters.REASON_CODE] == "unreadable" and h[dead_letters.REASON], h
            assert h[dead_letters.ORIGINAL_TOPIC] == original and h[dead_letters.ORIGINAL_OFFSET].isdigit(), h
            assert record.key is not None  # the original key: a replay lands where the record was meant to go

    listed = await system.cli("dlq", "list", "--topic", "dossier-items", "--json")
    assert listed.returncode == 0, listed.stderr
    letters = json.loads(listed.stdout)
    assert [d["reason_code"] for d in letters] == ["unreadable", "unreadable"]
    assert await system.db.fetchval("SELECT count(*) FROM workflow.instances") == 1

    # Replay sends a dead letter back to the topic it came from; still unreadable, it is dead-lettered again.
    replayed = await system.cli("dlq", "replay", letters[0]["ref"], "--topic", "dossier-items", "--yes")
    assert replayed.returncode == 0, replayed.stderr
    assert f"→ {topics.dossier_items}/" in replayed.stdout
    again = await system.read_topic(topics.dossier_items_dlq, expect=4, timeout=60)
    assert len(again) == 4 and {_headers(r)[dead_letters.ORIGINAL_OFFSET] for r in again[2:]} == {"2"}
