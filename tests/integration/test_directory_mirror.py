"""A service's copy of the directory against real Kafka and PostgreSQL: current once ``caught_up`` returns,
tombstones remove, and two processes writing the same copy agree."""

import asyncio
import time

import pytest

from shared.contracts.directory import Contact, Party
from shared.db.pool import create_pool
from shared.directory import store
from shared.directory.mirror import DirectoryMirror


def _party(n: int, name: str = "Klant") -> Party:
    return Party(
        organisation_person_id=f"ORG-8{n:04d}",
        name=f"{name} {n}",
        kind="organisation",
        numbers={"BTW": [f"NL{n:09d}B01"]},
        contacts=[Contact(contact_id=f"CP-{n}", name="C", email=f"c{n}@example.org", portal_user=f"u.{n}")],
    )


@pytest.fixture
async def mirrors(system):
    pool = await create_pool(system.settings.database_url, max_size=4)
    made, tasks = [], []

    def start(**options) -> DirectoryMirror:
        mirror = DirectoryMirror(
            system.settings.kafka_bootstrap_servers,
            system.topics.directory,
            pool,
            "intake",
            client_id="test-directory",
            **options,
        )
        made.append(mirror)
        tasks.append(asyncio.create_task(mirror.run()))
        return mirror

    try:
        yield start
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await pool.close()


async def _publish(system, *records: tuple[str, Party | None]) -> None:
    await system.publish(
        system.topics.directory, [(key, party.model_dump_json().encode() if party else None) for key, party in records]
    )


async def test_a_party_published_before_caught_up_is_in_the_copy_when_it_returns(system, mirrors):
    mirror = mirrors()
    for n in range(20):
        party = _party(n)
        await _publish(system, (party.organisation_person_id, party))
        await mirror.caught_up()
        found = await store.parties(system.db, "intake", [party.organisation_person_id])
        assert found == {party.organisation_person_id: party}


async def test_caught_up_does_not_wait_for_the_fetch_the_follower_has_waiting_at_the_broker(system, mirrors):
    mirror = mirrors(fetch_max_wait_ms=4000)
    await mirror.caught_up()
    await asyncio.sleep(1)  # the follower's fetch is waiting at the broker now, for up to 4 s
    for _ in range(5):
        started = time.monotonic()
        await mirror.caught_up()
        # The ends asked on the follower's connection would be answered after its fetch: seconds, not this.
        assert time.monotonic() - started < 1.5


async def test_the_latest_record_wins_and_a_tombstone_removes(system, mirrors):
    first, renamed, gone = _party(100), _party(100, "Hernoemd"), _party(101)
    await _publish(
        system,
        (first.organisation_person_id, first),
        (gone.organisation_person_id, gone),
        (renamed.organisation_person_id, renamed),
        (gone.organisation_person_id, None),
    )
    await mirrors().caught_up()

    found = await store.parties(system.db, "intake", [first.organisation_person_id, gone.organisation_person_id])
    assert found == {renamed.organisation_person_id: renamed}
    removed = await system.db.fetchval(
        "SELECT removed FROM intake.parties WHERE organisation_person_id = $1", gone.organisation_person_id
    )
    assert removed is True


async def test_two_processes_keep_one_copy_with_the_latest_record_of_each_key(system, mirrors):
    parties = [_party(200 + n) for n in range(50)]
    first, second = mirrors(), mirrors()
    await _publish(system, *((p.organisation_person_id, p) for p in parties))
    renamed = [p.model_copy(update={"name": f"Hernoemd {n}"}) for n, p in enumerate(parties)]
    await _publish(system, *((p.organisation_person_id, p) for p in renamed))
    await asyncio.gather(first.caught_up(), second.caught_up())

    found = await store.parties(system.db, "intake", [p.organisation_person_id for p in parties])
    assert found == {p.organisation_person_id: p for p in renamed}


async def test_a_restarted_process_resumes_where_the_copy_is_and_does_not_read_from_the_start(system, mirrors):
    party = _party(300)
    await _publish(system, (party.organisation_person_id, party))
    await mirrors().caught_up()
    await system.db.execute("DELETE FROM intake.parties")  # only the positions are left

    await mirrors().caught_up()

    assert await system.db.fetchval("SELECT count(*) FROM intake.parties") == 0
    await _publish(system, (party.organisation_person_id, party.model_copy(update={"active": False})))
    late = mirrors()
    await late.caught_up()
    assert (await system.db.fetchval("SELECT party->>'active' FROM intake.parties")) == "false"


async def test_a_party_claiming_a_portal_user_another_party_has_is_refused_with_its_reason_and_the_rest_applied(
    system, mirrors
):
    """Written straight to the topic (the CLI refuses it before publishing): the copy keeps the first holder, the
    claimant is dead-lettered once with the rule's reason, a later record of the claimant without the claim is
    applied, and a party may keep its own portal user when it changes."""
    mirror = mirrors()
    holder, other = _party(200), _party(202)
    claimant = _party(201).model_copy(
        update={"contacts": [_party(201).contacts[0].model_copy(update={"portal_user": "u.200"})]}
    )
    await _publish(system, (holder.organisation_person_id, holder))
    await mirror.caught_up()
    await _publish(
        system,
        (claimant.organisation_person_id, claimant),
        (other.organisation_person_id, other),
        (holder.organisation_person_id, _party(200, "Hernoemd")),
    )
    await mirror.caught_up()

    ids = [p.organisation_person_id for p in (holder, claimant, other)]
    copy = await store.parties(system.db, "intake", ids)
    assert set(copy) == {holder.organisation_person_id, other.organisation_person_id}
    assert copy[holder.organisation_person_id].name == "Hernoemd 200"
    letters = await system.db.fetch(
        "SELECT key, headers FROM intake.outbox WHERE topic = $1", f"{system.topics.directory}.dlq"
    )
    assert [bytes(r["key"]).decode() for r in letters] == [claimant.organisation_person_id]
    headers = dict(letters[0]["headers"])
    assert headers["accordeer-reason-code"] == "shared_portal_user"
    assert headers["accordeer-reason"] == (
        "ORG-80201 CP-201: portal user 'u.200' is already the portal user of ORG-80200 CP-200; "
        "a person logs in with one portal user"
    )

    corrected = _party(201)
    await _publish(system, (corrected.organisation_person_id, corrected))
    await mirror.caught_up()
    assert corrected.organisation_person_id in await store.parties(system.db, "intake", ids)
