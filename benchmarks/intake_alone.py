"""Intake alone: from the first declaration published to the last one stored and its events relayed, with one
intake process warmed up (started, group joined, one declaration through) so start-up is not counted."""

import asyncio
import time
from pathlib import Path

from accordeer.kafka_io import publish
from benchmarks.stack import check_running, phase_system
from benchmarks.workload import declarations
from shared.db.pool import connect
from tests.support.infrastructure import Infrastructure


async def intake_alone(infra: Infrastructure, tag: str, log_dir: Path, records: list[tuple[str, bytes]]) -> float:
    async with phase_system(infra, tag, log_dir, services=("intake",), gateway=False) as (settings, running):
        conn = await connect(settings.database_url)
        try:
            await publish(settings.kafka_bootstrap_servers, settings.topics.inbound, declarations(f"{tag}-warm", 1))
            await _stored(conn, 1, running)
            started = time.perf_counter()
            await publish(settings.kafka_bootstrap_servers, settings.topics.inbound, records)
            await _stored(conn, 1 + len(records), running)
            return len(records) / (time.perf_counter() - started)
        finally:
            await conn.close()


async def _stored(conn, count: int, running) -> None:
    while (
        await conn.fetchval("SELECT count(*) FROM intake.declarations") < count
        or await conn.fetchval("SELECT count(*) FROM intake.outbox") > 0
    ):
        check_running(running)
        await asyncio.sleep(0.02)
