"""Dispatch end to end through a faulty gateway: errors and latency, a full outage, and a crash of dispatch
itself. Every approved message is filed exactly once (the mock counts each aanleverkenmerk once) and ends
at 80, with one "delivered" status and one final status per message."""

import asyncio
import json
import math
import time
from collections import defaultdict

import pytest

from shared.contracts.status import StatusCode, StatusEvent
from tests.support.declarations import example

pytestmark = pytest.mark.e2e

CLIENT_TASK = "Beoordelen aangifte klant"


async def approve(system, prefix: str, count: int) -> list[str]:
    """Submit ``count`` declarations, wait until each is in its workflow, approve them all in one go."""
    declarations = [example("btw_aangifte", message_id=f"{prefix}-{n:04d}") for n in range(count)]
    await system.submit(*declarations)
    message_ids = {d["message_id"] for d in declarations}

    def in_workflow() -> dict[str, str]:
        return {
            e.message_id: e.dossier_item_id
            for e in system.events
            if e.status_code == StatusCode.IN_WORKFLOW and e.message_id in message_ids
        }

    await system.wait_for(lambda: len(in_workflow()) == count, timeout=120, what=f"30 for {count} declarations")
    items = sorted(in_workflow().values())
    actions = [
        (
            item,
            json.dumps(
                {
                    "schema_version": 1,
                    "action_id": f"approve-{item}",
                    "dossier_item_id": item,
                    "task": CLIENT_TASK,
                    "action": "Goedkeuren bericht",
                    "actor": "sanne.vandijk",
                }
            ).encode(),
        )
        for item in items
    ]
    await system.publish(system.topics.portal_actions, actions)
    return items


def events_by_item(system) -> dict[str, dict[int, dict[str, StatusEvent]]]:
    """item → status code → {event_id: event}; a record the relay published twice counts once."""
    index: dict[str, dict[int, dict[str, StatusEvent]]] = defaultdict(lambda: defaultdict(dict))
    for event in list(system.events):
        if event.dossier_item_id:
            index[event.dossier_item_id][int(event.status_code)][event.event_id] = event
    return index


def accepted(system, items: list[str]) -> int:
    index = events_by_item(system)
    return sum(1 for item in items if 80 in index.get(item, {}))


async def received(system) -> dict:
    return await system.gateway("GET", "/_admin/received")


async def assert_filed_exactly_once_and_accepted(system, items: list[str]) -> dict:
    filed = await received(system)
    assert filed["total_deliveries"] == len(items)
    assert filed["per_aanleverkenmerk"] == {item.replace("-", ""): 1 for item in items}
    index = events_by_item(system)
    for item in items:
        delivered = [e for e in index[item][60].values() if e.authority_status_code is None]
        assert len(delivered) == 1, f"{item}: {len(delivered)} 'delivered' statuses"
        assert len(index[item][80]) == 1, item
        assert 90 not in index[item], item
    rows = await system.db.fetch("SELECT state, status_code, count(*) AS n FROM dispatch.deliveries GROUP BY 1, 2")
    assert [(r["state"], r["status_code"], r["n"]) for r in rows] == [("final", 80, len(items))]
    return filed


def dispatch_log(system) -> str:
    return system.services.processes["dispatch"].log_path.read_text(errors="replace")


async def test_120_messages_through_20_percent_errors_and_2_seconds_of_latency_are_filed_once(system):
    count = 120
    system.start("digipoort_mock", "intake", "workflow")
    # As many connections as deliveries in flight: with up to 2 s per answer, the default 8 make this test wait
    # a minute on the gateway's latency alone, and what it proves (each filed once, ending at 80) is the same.
    system.services.start_service("dispatch", ACCORDEER_DISPATCH_GATEWAY_CONNECTIONS="32")
    await system.gateway("PUT", "/_admin/faults", json={"error_rate": 0.2, "latency_jitter_ms": 2000, "seed": 5})

    items = await approve(system, "faulty", count)
    approved_at = time.monotonic()
    await system.wait_for(lambda: accepted(system, items) == count, timeout=150, what=f"80 for all {count}")
    took = time.monotonic() - approved_at

    await assert_filed_exactly_once_and_accepted(system, items)
    index = events_by_item(system)
    send_errors = sum(1 for item in items if 70 in index[item])
    # About a fifth of the first attempts (24) meet a 503; the breaker may spare a few of them.
    assert 8 <= send_errors <= 50, send_errors
    assert all(len(index[item].get(70, {})) <= 1 for item in items), "one send error per failure streak"
    most_attempts = await system.db.fetchval("SELECT max(attempts) FROM dispatch.deliveries")
    print(
        f"\n{count} approved messages at 80 in {took:.1f}s after approval; {send_errors} saw a send error; "
        f"at most {most_attempts} attempts for one; circuit opened {dispatch_log(system).count('circuit open')}x"
    )


async def test_a_10_second_outage_mid_run_is_ridden_out_without_burning_attempts(system):
    count, concurrency, cooldown, outage = 160, 32, 3, 10
    system.start("digipoort_mock", "intake", "workflow")
    system.services.start_service(
        "dispatch",
        ACCORDEER_DISPATCH_CONCURRENCY=str(concurrency),
        ACCORDEER_DISPATCH_BREAKER_COOLDOWN_SECONDS=str(cooldown),
    )
    slow = {"latency_ms": 150, "latency_jitter_ms": 200}
    await system.gateway("PUT", "/_admin/faults", json=slow)

    items = await approve(system, "outage", count)
    deadline = time.monotonic() + 60
    # the count is the gateway mock's, another process, read over HTTP: there is no event to wait on
    while (await received(system))["total_deliveries"] < count // 4 and time.monotonic() < deadline:  # noqa: ASYNC110 - polls another process
        await asyncio.sleep(0.05)
    await system.gateway("PUT", "/_admin/faults", json={"outage": True})
    began = time.monotonic()
    before = (await received(system))["total_deliveries"]
    await asyncio.sleep(outage)
    during = (await received(system))["total_deliveries"] - before
    await system.gateway("PUT", "/_admin/faults", json=slow)
    lasted = time.monotonic() - began  # on a busy machine longer than asked: room for another probe
    assert count // 4 <= before < count // 2, f"the outage must start mid-run, not after {before} deliveries"

    await system.wait_for(lambda: accepted(system, items) == count, timeout=60, what=f"80 for all {count}")

    assert during == 0, "an outage answers 503 before anything is recorded"
    await assert_filed_exactly_once_and_accepted(system, items)
    log = dispatch_log(system)
    assert "circuit open" in log and "circuit closed" in log
    # Without the breaker every waiting delivery would have been tried three or four times in 10 s.
    attempts = await system.db.fetchval("SELECT max(attempts) FROM dispatch.deliveries")
    assert attempts <= 2, attempts
    # A send error for the deliveries in flight when the outage began, and for each failed probe at most.
    index = events_by_item(system)
    failed = [item for item in items if 70 in index[item]]
    assert 1 <= len(failed) <= concurrency + math.ceil(lasted / cooldown) + 1, (len(failed), lasted)
    assert all(len(index[item][70]) == 1 for item in failed), "one send error per failure streak"


async def test_dispatch_killed_mid_delivery_and_restarted_files_nothing_twice(system):
    count, lease = 100, 8
    # A short lease, so the restarted process takes over the killed one's deliveries within seconds.
    env = {"ACCORDEER_DISPATCH_LEASE_SECONDS": str(lease), "ACCORDEER_DISPATCH_GATEWAY_TIMEOUT_SECONDS": "4"}
    system.start("digipoort_mock", "intake", "workflow")
    await system.gateway(
        "PUT", "/_admin/faults", json={"latency_ms": 300, "latency_jitter_ms": 500, "drop_after_accept_rate": 0.15}
    )
    dispatch = system.services.start_service("dispatch", **env)

    items = await approve(system, "crash", count)
    # A claim sets the due time to the end of the lease; a retry's backoff never lands exactly there.
    in_flight_sql = (
        "SELECT count(*) FROM dispatch.deliveries WHERE state = 'to_send'"
        f" AND next_attempt_at = updated_at + interval '{lease} seconds'"
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        filed_at_kill = (await received(system))["total_deliveries"]
        in_flight = await system.db.fetchval(in_flight_sql)
        if filed_at_kill >= 30 and in_flight > 0:
            break
        await asyncio.sleep(0.05)
    dispatch.kill()
    assert 30 <= filed_at_kill < count and in_flight > 0, (filed_at_kill, in_flight)

    system.services.start_service("dispatch", **env)
    await system.wait_for(lambda: accepted(system, items) == count, timeout=90, what=f"80 for all {count}")

    filed = await assert_filed_exactly_once_and_accepted(system, items)
    repeats = filed["total_attempts"] - filed["total_deliveries"]
    # Each answer dropped after acceptance (15%, so about 15 of them) made dispatch send that delivery again.
    assert repeats >= 5, f"dropped answers must have been retried: {repeats} repeats"
