"""The workflow use cases against a real PostgreSQL: concurrent conflicting actions, records that name no item,
a publication committed while new items arrive, and the step guard on stored states. No service processes:
records are handed to the use cases."""

import asyncio
import json
import shutil
import uuid
from dataclasses import replace

import pytest
from aiokafka import ConsumerRecord

from accordeer.paths import REPO_ROOT
from services.workflow.domain import check_config, load_config_folder
from services.workflow.repository import StaleState, StateChange, WorkflowRepository
from services.workflow.setup import publish
from shared.db.pool import create_pool
from tests.support.parties import seed_parties
from tests.support.records import consumer_record, dossier_item_record
from tests.support.workflow import workflow_on

CLIENT_TASK = "Beoordelen aangifte klant"


@pytest.fixture
async def workflow(system):
    await seed_parties(system.db, "workflow")
    pool = await create_pool(system.settings.database_url, max_size=20)
    try:
        yield workflow_on(pool, system.topics)
    finally:
        await pool.close()


def action_record(
    system,
    item_id: str,
    action: str,
    actor: str = "sanne.vandijk",
    *,
    task: str = CLIENT_TASK,
    partition: int = 0,
    key: str | None = None,
) -> ConsumerRecord:
    body = {"action_id": str(uuid.uuid4()), "dossier_item_id": item_id, "task": task, "action": action, "actor": actor}
    return consumer_record(system.topics.portal_actions, key or item_id, json.dumps(body).encode(), partition=partition)


async def outbox(system) -> list[dict]:
    rows = await system.db.fetch("SELECT topic, key, value, headers FROM workflow.outbox ORDER BY id")
    return [
        {
            "topic": r["topic"],
            "key": r["key"] and r["key"].decode(),
            "value": json.loads(r["value"]),
            "headers": dict(r["headers"]),
        }
        for r in rows
    ]


async def test_fifty_conflicting_actions_in_concurrent_transactions_move_the_item_exactly_once(system, workflow):
    item_id, item = dossier_item_record(system.topics)
    await workflow.take([item])
    actions = [
        action_record(system, item_id, "Goedkeuren bericht" if n % 2 else "Afkeuren bericht", partition=n)
        for n in range(50)
    ]

    # One batch per partition, each in its own transaction on its own connection, all at once.
    await asyncio.gather(*(workflow.take([a]) for a in actions))

    trail = await system.db.fetch(
        "SELECT action, to_status FROM workflow.audit WHERE dossier_item_id = $1 ORDER BY id", item_id
    )
    assert trail[0]["action"] == "Workflow gestart"
    assert len(trail) == 2 and trail[1]["to_status"] in (40, 50)
    records = await outbox(system)
    ended = [r for r in records if r["topic"] == system.topics.status and r["value"]["status_code"] in (40, 50)]
    assert len(ended) == 1 and ended[0]["value"]["reason_code"] is None
    dead = [r for r in records if r["topic"] == system.topics.workflow_actions_dlq]
    assert len(dead) == 49
    assert {r["headers"]["accordeer-reason-code"] for r in dead} == {"not_running"}
    approved = [r for r in records if r["topic"] == system.topics.approved]
    assert len(approved) == (1 if trail[1]["to_status"] == 50 else 0)
    outcomes = await system.db.fetch("SELECT outcome, count(*) FROM workflow.applied_actions GROUP BY outcome")
    assert {r["outcome"]: r["count"] for r in outcomes} == {"applied": 1, "refused": 49}


async def test_actions_naming_no_dossier_item_are_dead_lettered_and_the_batch_goes_on(system, workflow):
    item_id, item = dossier_item_record(system.topics)
    await workflow.take([item])
    unknown = str(uuid.uuid4())
    batch = [
        action_record(system, "not-a-uuid", "Goedkeuren bericht"),
        action_record(system, unknown, "Goedkeuren bericht"),
        action_record(system, item_id, "Goedkeuren bericht"),
    ]

    await asyncio.wait_for(workflow.take(batch), timeout=10)

    dead = [r for r in await outbox(system) if r["topic"] == system.topics.workflow_actions_dlq]
    assert [(r["headers"]["accordeer-reason-code"], r["value"]["dossier_item_id"]) for r in dead] == [
        ("unknown_dossier_item", "not-a-uuid"),
        ("unknown_dossier_item", unknown),
    ]
    assert "is not a dossier item id" in dead[0]["headers"]["accordeer-reason"]
    assert f"dossier item {unknown} does not exist" == dead[1]["headers"]["accordeer-reason"]
    assert (
        await system.db.fetchval("SELECT status_code FROM workflow.instances WHERE dossier_item_id = $1", item_id) == 50
    )


async def test_an_item_arriving_while_a_publication_commits_is_routed_by_that_publication(system, workflow, tmp_path):
    folder = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "deploy" / "config", folder)
    with (folder / "routes.yaml").open("a") as routes:
        routes.write("- message_type: vpb-aangifte\n  workflow: Belastingdienst\n")
    publication = check_config(load_config_folder(folder))
    assert publication.ok, publication.report()
    item_id, item = dossier_item_record(system.topics, "vpb-aangifte")

    publisher = system.db
    transaction = publisher.transaction()
    await transaction.start()
    new_id = await WorkflowRepository(publisher).add_publication(publication, published_by="test")
    assert await WorkflowRepository(publisher).unrouted() == []  # the item is not there yet
    arriving = asyncio.create_task(workflow.take([item]))
    await asyncio.sleep(1)
    assert not arriving.done(), "the item must wait for the publication being committed"
    await transaction.commit()
    await asyncio.wait_for(arriving, timeout=10)

    row = await system.db.fetchrow(
        "SELECT status_code, publication_id FROM workflow.instances WHERE dossier_item_id = $1", item_id
    )
    assert (row["status_code"], row["publication_id"]) == (30, new_id)


async def test_publishing_again_routes_what_now_has_a_route_and_leaves_the_rest_quiet(system, workflow, tmp_path):
    vpb_id, vpb = dossier_item_record(system.topics, "vpb-aangifte")
    other_id, other = dossier_item_record(system.topics, "dga-aangifte")
    await workflow.take([vpb, other])
    folder = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "deploy" / "config", folder)
    with (folder / "routes.yaml").open("a") as routes:
        routes.write("- message_type: vpb-aangifte\n  workflow: Belastingdienst\n")

    publication, routed = await publish(system.db, load_config_folder(folder), system.topics, published_by="test")

    assert publication.ok and routed == 1
    statuses = [
        (r["value"]["dossier_item_id"], r["value"]["status_code"], r["value"]["detail"])
        for r in await outbox(system)
        if r["topic"] == system.topics.status
    ]
    assert sorted(statuses[:2]) == sorted(
        [
            (vpb_id, 20, "no route for message type vpb-aangifte"),
            (other_id, 20, "no route for message type dga-aangifte"),
        ]
    )
    assert statuses[2:] == [(vpb_id, 30, "workflow Belastingdienst, task Beoordelen aangifte klant")]


async def test_a_state_is_stored_only_over_the_step_it_was_decided_on(system, workflow):
    item_id, item = dossier_item_record(system.topics)
    await workflow.take([item])
    repository = WorkflowRepository(system.db)
    [instance] = await repository.instances([item_id])

    def step(n: int, **over) -> list[StateChange]:
        return [StateChange(item_id, replace(instance.state, step=n), 30, "", instance.publication_id, None, **over)]

    with pytest.raises(StaleState):
        await repository.save_states(step(2))
    await repository.save_states(step(1))
    with pytest.raises(StaleState):
        await repository.save_states(step(1))
    await repository.save_states(step(3, over_step=1))  # two steps of one batch, stored as the last
