"""The restore drill under the chaos run: a backup of the whole database taken while declarations flow, the run
going on past it, then every service stopped, the database restored from the backup and the services started
again, as docs/deploy.md "Restoring PostgreSQL" tells an operator.

Everything the services applied after the backup is then applied again from Kafka (each reads from the positions
the restored database holds). The checker judges the run as any other: nothing lost, nothing doubled (statuses made
again from the same cause keep their first event ids, deliveries filed again reach the gateway under the
aanleverkenmerk it already took), no status going backwards.
"""

import asyncio
import subprocess

import asyncpg
import httpx

from accordeer.chaos.faults import Faults, Schedule
from accordeer.localstack.postgres import client_program

BACKUP = "backup.dump"
OUR_SCHEMAS = "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'"


async def backup(faults: Faults) -> str:
    """pg_dump of every table's rows, in one snapshot, while the services write."""
    stack = faults.stack
    conn = await asyncpg.connect(stack.started_settings.database_url)
    try:
        schemas = [row["nspname"] for row in await conn.fetch(OUR_SCHEMAS)]
        stored = await _counts(conn)
    finally:
        await conn.close()
    await _run(
        client_program("pg_dump"),
        "--format=custom",
        "--data-only",
        *(f"--schema={schema}" for schema in schemas),
        f"--file={stack.work_dir / BACKUP}",
        stack.started_settings.database_url,
    )
    return f"begun with {stored} stored"


async def restore(faults: Faults) -> str:
    """Every service process stopped (SIGTERM), every table emptied and refilled from the backup, and the processes
    started again; the gateway keeps what it was given."""
    stack = faults.stack
    url = stack.started_settings.database_url
    await stack.stop_services()
    conn = await asyncpg.connect(url)
    try:
        before = await _counts(conn)
        tables = await conn.fetch(
            f"SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname IN ({OUR_SCHEMAS})"
        )
        await conn.execute(f"TRUNCATE {', '.join(t['name'] for t in tables)}")
        await _run(
            client_program("pg_restore"),
            "--data-only",
            "--single-transaction",
            f"--dbname={url}",
            str(stack.work_dir / BACKUP),
        )
        after = await _counts(conn)
    finally:
        await conn.close()
    await stack.start_services()
    return f"{before} before the restore, {after} after it; services started again"


async def filed_again(faults: Faults) -> str:
    """What the gateway was given twice under one aanleverkenmerk: deliveries the restore made dispatch file again,
    which the gateway takes as the first (the checker counts registrations)."""
    async with httpx.AsyncClient(base_url=faults.stack.started_services.gateway_url, timeout=10) as client:
        received = (await client.get("/_admin/received")).json()
    again = sum(1 for attempts in received["attempts_per_aanleverkenmerk"].values() if attempts > 1)
    if not again:
        raise RuntimeError("no delivery was filed again after the restore: the drill proved nothing about filing")
    return f"{again} deliveries filed again under their first aanleverkenmerk, each registered once"


RESTORE: Schedule = [
    (0.25, "backup: pg_dump of the whole database", backup),
    (0.60, "restore the backup: services stopped, database restored, services started", restore),
    (0.97, "deliveries filed again after the restore", filed_again),
]
"""The backup early enough that much is applied after it (items made, approved, filed), the restore while
declarations still flow."""


async def _counts(conn: asyncpg.Connection) -> str:
    items = await conn.fetchval("SELECT count(*) FROM intake.dossier_items")
    deliveries = await conn.fetchval("SELECT count(*) FROM dispatch.deliveries")
    return f"{items} dossier items and {deliveries} deliveries"


async def _run(*argv: str) -> None:
    result = await asyncio.to_thread(subprocess.run, argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed: {result.stderr.strip()}")
