"""Action ids are forgotten once no copy of the action can arrive any more (shared/db/retention.py): the expired
ones go in batches, as the service's own role, and the others stay."""

import uuid
from datetime import timedelta

import pytest

from shared.db.pool import create_pool
from shared.db.retention import KeyRetention


def _role_url(system, service: str) -> str:
    return system.services.database_urls(service) if system.services.database_urls else system.settings.database_url


@pytest.fixture
async def workflow_pool(system):
    pool = await create_pool(_role_url(system, "workflow"))
    try:
        yield pool
    finally:
        await pool.close()


async def _applied(system, ages_in_days: list[float]) -> list[str]:
    ids = [str(uuid.uuid4()) for _ in ages_in_days]
    await system.db.executemany(
        "INSERT INTO workflow.applied_actions (action_id, dossier_item_id, outcome, applied_at)"
        " VALUES ($1, $2, 'applied', now() - make_interval(secs => $3 * 86400))",
        [(action_id, uuid.uuid4(), age) for action_id, age in zip(ids, ages_in_days, strict=True)],
    )
    return ids


async def test_keys_older_than_the_retention_are_forgotten_in_batches_and_the_rest_kept(system, workflow_pool):
    expired = await _applied(system, [31, 40, 45, 90, 400])
    kept = await _applied(system, [0, 1, 7.5, 29.9])
    retention = KeyRetention("workflow.applied_actions", "applied_at", timedelta(days=30))

    assert await retention.forget_expired(workflow_pool, batch=2) == len(expired)

    left = {r["action_id"] for r in await system.db.fetch("SELECT action_id FROM workflow.applied_actions")}
    assert set(kept) <= left and not set(expired) & left
    assert await retention.forget_expired(workflow_pool) == 0


async def test_the_portal_forgets_the_actions_people_sent_as_its_own_role(system):
    await system.db.execute(
        "INSERT INTO portal.sent_actions (action_id, dossier_item_id, actor, action, sent_at)"
        " VALUES ($1, $2, 'sanne', 'approve', now() - interval '60 days')",
        uuid.uuid4(),
        uuid.uuid4(),
    )
    pool = await create_pool(_role_url(system, "portal"))
    try:
        forgotten = await KeyRetention("portal.sent_actions", "sent_at", timedelta(days=30)).forget_expired(pool)
    finally:
        await pool.close()
    assert forgotten == 1
    assert await system.db.fetchval("SELECT count(*) FROM portal.sent_actions") == 0
