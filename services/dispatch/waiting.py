"""Deliveries stopped at 70 that wait for `accordeer resend` (or the operator page's button), on /metrics by the
gateway's code: a gauge each dispatch process reads from dispatch's table every ``every`` seconds.

Every process reports the same figure (it is the table's, not the process's): sum nothing, take the max over
instances. An alert on it names what operators act on: a filing that will not move until someone sends it again.
"""

import asyncio
from collections.abc import Callable

import asyncpg
from prometheus_client import Gauge

from shared.loops import run_forever

WAITING = Gauge(
    "accordeer_dispatch_waiting_for_resend",
    "Deliveries stopped at 70 now, waiting for `accordeer resend`, by the gateway's code (an HTTP refusal's "
    "foutcode, 210, 410, ... or no-final-answer). The table's figure: the same in every dispatch process.",
    ["gateway_code"],
)

BY_CODE = """
SELECT coalesce(gateway_code, 'unknown') AS gateway_code, count(*) AS waiting
FROM dispatch.deliveries WHERE state = 'failed' GROUP BY 1
"""


class WaitingForResend:
    def __init__(self, pool: Callable[[], asyncpg.Pool], every: float = 30.0):
        self.pool = pool
        self.every = every

    async def count(self) -> dict[str, int]:
        counted = {row["gateway_code"]: row["waiting"] for row in await self.pool().fetch(BY_CODE)}
        for code in set(_labels()) - counted.keys():
            WAITING.labels(code).set(0)  # a code no longer waiting reads 0, not its last figure
        for code, waiting in counted.items():
            WAITING.labels(code).set(waiting)
        return counted

    async def count_forever(self) -> None:
        async def one_round() -> None:
            await self.count()
            await asyncio.sleep(self.every)

        await run_forever(
            "counting the deliveries that wait for a resend", one_round, transient=(OSError, asyncpg.PostgresError)
        )


def _labels() -> list[str]:
    return [sample.labels["gateway_code"] for metric in WAITING.collect() for sample in metric.samples]
