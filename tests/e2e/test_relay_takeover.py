"""A frozen outbox relay: the service's other process takes its lanes within seconds, nothing is lost or doubled, and
once thawed it relays its share again."""

import asyncio
import time

import pytest

from shared.contracts.status import StatusCode
from tests.support.declarations import example

pytestmark = pytest.mark.e2e

DECLARATIONS = 60


async def test_a_frozen_relay_leader_is_replaced_and_its_service_keeps_publishing(system):
    intakes = system.start_instances("intake", 2)
    await system.submit(*[example("loonheffing", message_id=f"before-{n:03d}") for n in range(10)])
    await system.wait_for(lambda: _registered(system, "before-") == 10, what="the first declarations' 10s")
    # Both in the consumer group first: a member frozen while the group forms holds it up (that is Kafka's
    # session timeout, not the relay).
    await system.wait_for(
        lambda: all("assigned to partitions" in p.log_path.read_text() for p in intakes),
        what="both intake processes in the consumer group",
    )
    await asyncio.sleep(2)
    holder = await _lease_holder(system)
    leader = next(p for p in intakes if p.pid == holder["pid"])
    other = next(p for p in intakes if p is not leader)

    system.freeze(leader)
    try:
        frozen_at = time.monotonic()
        await system.submit(*[example("loonheffing", message_id=f"frozen-{n:03d}") for n in range(DECLARATIONS)])
        taken = await _taken_over(system, holder["token"], within=10)
        taken_after = time.monotonic() - frozen_at
        assert taken["pid"] == other.pid
        # The other process's own declarations wait only for the relay, the frozen one's also for the group.
        await system.wait_for(
            lambda: _registered(system, "frozen-") > 0, timeout=20, what="a 10 while the relay leader is frozen"
        )
        first_after = time.monotonic() - frozen_at
        # The frozen one's partitions move to the other after the group's session timeout; then all of them.
        await system.wait_for(
            lambda: _registered(system, "frozen-") == DECLARATIONS,
            timeout=60,
            what="every 10 while the relay leader is frozen",
        )
        all_after = time.monotonic() - frozen_at
    finally:
        system.thaw(leader)

    # The thawed one finds its session ended, starts again with no lanes and gets its share back.
    deadline = time.monotonic() + 20
    while await _lane_holders(system) != {leader.pid, other.pid}:
        assert time.monotonic() < deadline, "the thawed process did not get its share of intake's lanes back"
        await asyncio.sleep(0.2)
    assert leader.running() and other.running()
    await system.submit(*[example("loonheffing", message_id=f"after-{n:03d}") for n in range(10)])
    await system.wait_for(lambda: _registered(system, "after-") == 10, what="the 10s after the thaw")

    expected = 10 + DECLARATIONS + 10
    assert await system.db.fetchval("SELECT count(*) FROM intake.dossier_items") == expected
    assert await system.db.fetchval("SELECT count(DISTINCT message_id) FROM intake.dossier_items") == expected
    tens = [e for e in system.events if e.status_code == StatusCode.REGISTERED]
    assert len({e.message_id for e in tens}) == expected  # none lost
    assert len({e.event_id for e in tens}) == expected  # none doubled (a republished record repeats its event id)
    items = await system.read_topic(system.topics.dossier_items, expect=expected)
    assert len({r.key for r in items}) == expected
    assert await system.db.fetchval("SELECT count(*) FROM intake.outbox") == 0
    print(
        f"relay leader frozen: lease taken over after {taken_after:.1f}s, first 10 after {first_after:.1f}s, "
        f"all {DECLARATIONS} after {all_after:.1f}s"
    )


def _registered(system, prefix: str) -> int:
    return len(
        {
            e.message_id
            for e in system.events
            if e.status_code == StatusCode.REGISTERED and e.message_id.startswith(prefix)
        }
    )


async def _taken_over(system, token: int, *, within: float) -> dict:
    deadline = time.monotonic() + within
    while (holder := await _lease_holder(system))["token"] == token:
        assert time.monotonic() < deadline, f"intake's relay lease was not taken over within {within}s"
        await asyncio.sleep(0.1)
    return holder


async def _lane_holders(system) -> set[int]:
    return {int(h.split(":")[1]) for h in await system.db.fetchval("SELECT array_agg(holder) FROM intake.relay_leases")}


async def _lease_holder(system) -> dict:
    row = await system.db.fetchrow("SELECT holder, token FROM intake.relay_leases WHERE lane = 0")
    assert row is not None, "no relay holds intake's lease"
    return {"pid": int(row["holder"].split(":")[1]), "token": row["token"]}
