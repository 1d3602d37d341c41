"""A resend asked for wakes every listening dispatch process at once (migration 0025's trigger, dispatch's
listener), so it is sent when asked, not when the delivery loop next looks; and a listener that reconnects looks
once, for what was asked while it was away."""

import asyncio
import itertools
import os

import asyncpg

from accordeer.localstack.stack import create_database
from services.dispatch.waking import wake_on_resends
from shared.db.migrations import apply_migrations
from shared.db.roles import OWNER
from shared.operations.resends import Requested, request_resend

_numbers = itertools.count(1)
ITEM = "00000000-0000-0000-0000-000000000070"


async def _until(predicate, what: str, timeout: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


async def test_a_resend_wakes_the_listening_dispatch_and_a_reconnect_looks_once(infrastructure):
    name = f"resend_wakes_{os.getpid()}_{next(_numbers)}"
    await create_database(infrastructure.database_url, name, owner=OWNER)
    owner = infrastructure.role_url(name, OWNER)
    await asyncio.to_thread(apply_migrations, owner)
    conn = await asyncpg.connect(owner)
    await conn.execute(
        "INSERT INTO dispatch.deliveries (dossier_item_id, message_id, source, aanleverkenmerk, request, state,"
        " status_code, gateway_code, last_error) VALUES ($1, 'm-70', 'exact', $2, '{}', 'failed', 70, '410', 'x')",
        ITEM,
        ITEM.replace("-", ""),
    )
    wakes: list[float] = []
    listening = asyncio.create_task(wake_on_resends(owner, lambda: wakes.append(0)))
    try:
        await _until(lambda: len(wakes) == 1, "the look at connecting")
        assert isinstance(await request_resend(conn, ITEM, "olga"), Requested)
        await _until(lambda: len(wakes) == 2, "the wake-up of the resend")

        # the listener's connection is cut: it connects again and looks once more
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
            "accordeer dispatch resends",
        )
        await _until(lambda: len(wakes) == 3, "the look after reconnecting")
    finally:
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)
        await conn.close()
