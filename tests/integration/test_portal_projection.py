"""The portal's projection on PostgreSQL: a batch's status events and history lines are written a statement each
(services/portal/projection_store.py), so several events of one item in a batch, out of order or twice, must leave
what one by one would: the latest status, each history line once."""

import asyncio
import itertools
import os

import pytest

from accordeer.localstack.stack import create_database
from services.portal.projection import Projection
from services.portal.projection_store import SCHEMA, PostgresProjectionStore
from shared.contracts.status import StatusCode
from shared.db.migrations import apply_migrations
from shared.db.pool import create_pool
from shared.db.unit_of_work import PostgresUnitOfWork
from tests.unit.portal.projection_fakes import ITEM_ID, TOPICS, dossier_item, record, status

_numbers = itertools.count(1)


@pytest.fixture
async def pool(infrastructure):
    url = await create_database(infrastructure.database_url, f"projection_{os.getpid()}_{next(_numbers)}")
    await asyncio.to_thread(apply_migrations, url)
    pool = await create_pool(url)
    yield pool
    await pool.close()


async def test_a_batch_with_an_items_statuses_out_of_order_and_twice_leaves_the_latest_and_each_line_once(pool):
    projection = Projection(
        lambda: PostgresUnitOfWork(pool, SCHEMA, "accordeer-portal", PostgresProjectionStore), TOPICS, "portal"
    )
    in_workflow, prepared, sent = (
        status(StatusCode.IN_WORKFLOW, 0),
        status(StatusCode.PREPARED_FOR_SENDING, 1),
        status(StatusCode.SENT, 2),
    )
    # The status events before their item, the latest in the middle, one of them twice.
    await projection.apply([record(e) for e in (in_workflow, sent, prepared, sent)])
    await projection.apply([record(dossier_item()), record(status(StatusCode.IN_WORKFLOW, -5))])

    item = await pool.fetchrow(
        "SELECT status_code, status_at, subject FROM portal.items WHERE dossier_item_id = $1", ITEM_ID
    )
    assert (item["status_code"], item["status_at"]) == (int(StatusCode.SENT), sent.occurred_at)
    assert item["subject"] == dossier_item().subject
    lines = await pool.fetch(
        "SELECT status_code, text, comment, task FROM portal.history WHERE dossier_item_id = $1 ORDER BY at", ITEM_ID
    )
    assert [line["status_code"] for line in lines] == [
        int(StatusCode.IN_WORKFLOW),  # the late one, five minutes earlier: a line of its own, the status not moved
        int(StatusCode.IN_WORKFLOW),
        int(StatusCode.PREPARED_FOR_SENDING),
        int(StatusCode.SENT),
    ]
    assert all(line["comment"] == "" and line["task"] is None for line in lines)
