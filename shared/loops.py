"""The loops a service runs beside its consumers (the outbox relay, deliveries and polls, deadlines, lag, mail, the
directory copy), under one rule.

``run_forever(name, one_round)`` runs rounds until it is cancelled. A round returns how long to wait before the
next one (None or 0: at once). A round that raises does not end the loop: an outage it expects (``transient``,
say the broker away) is one warning line, anything else is logged with its traceback; either way the loop waits
``pause`` seconds and goes on.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def run_forever(
    name: str,
    one_round: Callable[[], Awaitable[float | None]],
    *,
    pause: float = 1.0,
    transient: tuple[type[Exception], ...] = (),
) -> None:
    while True:
        try:
            wait = await one_round()
        except asyncio.CancelledError:
            raise
        except transient as error:
            log.warning("%s: %s: %s; trying again in %g s", name, type(error).__name__, error, pause)
            wait = pause
        except Exception:
            log.exception("%s failed; trying again in %g s", name, pause)
            wait = pause
        if wait:
            await asyncio.sleep(wait)
