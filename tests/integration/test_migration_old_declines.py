"""Migration 0024 on a database the code before 0009 filled: deliveries it finished at 90 for failures on the way
(Digipoort's 410, an HTTP refusal) move to 70 with a note and can be sent again; real verdicts stay at 90."""

import asyncio
import itertools
import os
import shutil

import asyncpg
import pytest

from accordeer.localstack.stack import create_database
from shared.db.migrations import apply_migrations, migrations_dir
from shared.db.roles import OWNER
from shared.operations.resends import Requested, request_resend, waiting_for_resend

_numbers = itertools.count(1)
MIGRATION = "0024_old_declines_to_70"

OLD_ROWS = {
    # item: (kenmerk, status code, gateway code, last error, the gateway's trail)
    "00000000-0000-0000-0000-000000000410": ("k410", 90, None, None, ["100", "410"]),
    "00000000-0000-0000-0000-000000000400": (None, 90, None, "refused by the communication service: 400 ALS007", []),
    "00000000-0000-0000-0000-000000000311": ("k311", 90, None, None, ["100", "311"]),
    "00000000-0000-0000-0000-000000000510": ("k510", 90, "510", None, ["100", "510"]),
    "00000000-0000-0000-0000-000000000500": ("k500", 80, None, None, ["100", "500"]),
}


@pytest.fixture
async def database(infrastructure, tmp_path):
    """A database at 0023, with the rows the old code left, as its owner."""
    name = f"old_declines_{os.getpid()}_{next(_numbers)}"
    await create_database(infrastructure.database_url, name, owner=OWNER)
    owner = infrastructure.role_url(name, OWNER)
    before = tmp_path / "migrations"
    # the migrations before 0024 only
    shutil.copytree(migrations_dir(), before, ignore=lambda _, names: [n for n in names if n >= MIGRATION])
    await asyncio.to_thread(apply_migrations, owner, before)
    conn = await asyncpg.connect(owner)
    try:
        for n, (item, (kenmerk, code, gateway_code, error, trail)) in enumerate(OLD_ROWS.items()):
            await conn.execute(
                "INSERT INTO dispatch.deliveries (dossier_item_id, message_id, source, aanleverkenmerk, request,"
                " state, status_code, kenmerk, gateway_code, last_error)"
                " VALUES ($1, $2, 'afas-fin', $3, '{}', 'final', $4, $5, $6, $7)",
                item,
                f"old-{n}",
                item.replace("-", ""),
                code,
                kenmerk,
                gateway_code,
                error,
            )
            for step, status in enumerate(trail):
                await conn.execute(
                    "INSERT INTO dispatch.gateway_statuses VALUES ($1, $2, $3)", kenmerk, status, f"2024-01-0{step + 1}"
                )
    finally:
        await conn.close()
    return owner


async def test_failures_on_the_way_finished_at_90_move_to_70_with_a_note_and_can_be_sent_again(database):
    assert (await asyncio.to_thread(apply_migrations, database))[0] == MIGRATION  # then any later ones
    conn = await asyncpg.connect(database)
    try:
        rows = {
            r["id"]: r
            for r in await conn.fetch(
                "SELECT dossier_item_id::text AS id, state, status_code, gateway_code, last_error"
                " FROM dispatch.deliveries"
            )
        }
        now = {item: (r["state"], r["status_code"], r["gateway_code"]) for item, r in rows.items()}
        assert now == {
            "00000000-0000-0000-0000-000000000410": ("failed", 70, "410"),
            "00000000-0000-0000-0000-000000000400": ("failed", 70, "http-refusal"),
            "00000000-0000-0000-0000-000000000311": ("final", 90, None),
            "00000000-0000-0000-0000-000000000510": ("final", 90, "510"),
            "00000000-0000-0000-0000-000000000500": ("final", 80, None),
        }
        refused = rows["00000000-0000-0000-0000-000000000400"]["last_error"]
        assert refused.startswith("refused by the communication service: 400 ALS007; moved from 90 to 70 by migration")
        assert "accordeer resend" in rows["00000000-0000-0000-0000-000000000410"]["last_error"]

        waiting = [r["id"] for r in await waiting_for_resend(conn)]
        assert sorted(waiting) == ["00000000-0000-0000-0000-000000000400", "00000000-0000-0000-0000-000000000410"]
        resent = await request_resend(conn, "00000000-0000-0000-0000-000000000410", "olga")
        assert isinstance(resent, Requested) and resent.attempt == 2
    finally:
        await conn.close()
