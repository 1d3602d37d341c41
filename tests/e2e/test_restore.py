"""PostgreSQL restored from a backup while Kafka moved on: the service reads again from the positions in the
restored database and applies what came after the backup (it was skipped for good when consumers started at the
group's committed offsets), each declaration once, under the same dossier item ids."""

import asyncio
import subprocess
from pathlib import Path

import pytest

from accordeer.localstack.postgres import client_program
from tests.support.declarations import example

pytestmark = pytest.mark.e2e


async def _items(system) -> dict[str, str]:
    rows = await system.db.fetch("SELECT message_id, id FROM intake.dossier_items")
    return {r["message_id"]: str(r["id"]) for r in rows}


async def _until_items(system, count: int) -> dict[str, str]:
    for _ in range(600):
        if len(items := await _items(system)) >= count:
            return items
        await asyncio.sleep(0.1)
    raise AssertionError(f"{len(await _items(system))} of {count} dossier items\n{system.logs()}")


def _run(*argv: str) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


async def test_a_restored_database_applies_again_what_came_after_its_backup(system, tmp_path: Path):
    url = system.settings.database_url
    intake = system.services.start_service("intake")
    await system.submit(*[example("loonheffing", message_id=f"before-{n}") for n in range(3)])
    await _until_items(system, 3)
    backup = tmp_path / "intake.dump"
    _run(client_program("pg_dump"), "--format=custom", "--data-only", "--schema=intake", f"--file={backup}", url)

    await system.submit(*[example("loonheffing", message_id=f"after-{n}") for n in range(3)])
    before_restore = await _until_items(system, 6)
    await asyncio.to_thread(intake.stop)
    tables = [r["t"] for r in await system.db.fetch("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'intake'")]
    await system.db.execute(f"TRUNCATE {', '.join(f'intake.{t}' for t in tables)}")
    _run(client_program("pg_restore"), "--data-only", "--single-transaction", f"--dbname={url}", str(backup))
    assert sorted(await _items(system)) == [f"before-{n}" for n in range(3)]

    system.services.start_service("intake")

    assert await _until_items(system, 6) == before_restore
    await asyncio.sleep(2)  # anything applied twice would show by now
    assert await system.db.fetchval("SELECT count(*) FROM intake.declarations") == 6
    assert await system.db.fetchval("SELECT count(*) FROM intake.dossier_items") == 6
