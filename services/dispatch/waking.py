"""Waking dispatch when a resend is asked for. `accordeer resend` and the operator page record it in dispatch's
database (dispatch.request_resend), whose trigger notifies on RESEND_CHANNEL (migration 0025); every dispatch
process listens there on a connection of its own, so a resend is claimed at once rather than when the delivery
loop next looks for due work (up to IDLE_WAIT later)."""

import asyncio
from collections.abc import Callable

import asyncpg

from services.dispatch.use_cases import PAUSE_AFTER_ERROR
from shared.loops import run_forever

RESEND_CHANNEL = "dispatch_resend"


async def wake_on_resends(database_url: str, wake: Callable[[], None]) -> None:
    """Call ``wake`` for every resend asked for, and once at each (re)connection: one asked while this process
    was not listening is then seen too. Reconnects after the connection ends."""

    async def one_round() -> None:
        conn = await asyncpg.connect(database_url, server_settings={"application_name": "accordeer dispatch resends"})
        ended = asyncio.Event()
        conn.add_termination_listener(lambda _: ended.set())
        try:
            await conn.add_listener(RESEND_CHANNEL, lambda *_: wake())
            wake()
            await ended.wait()
        finally:
            conn.terminate()

    await run_forever("listening for resends", one_round, pause=PAUSE_AFTER_ERROR)
