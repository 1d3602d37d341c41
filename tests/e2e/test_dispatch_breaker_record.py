"""The breaker's state where operators look, end to end: an outage of the mocked gateway opens dispatch's
breaker, its row in dispatch.breaker_states and its gauge on /metrics say open with the last error, and after
the outage the breaker closes again by itself and the row says so."""

import asyncio
import time

import httpx
import pytest

from accordeer.localstack.kafka import free_port
from tests.e2e.test_dispatch_faults import accepted, approve

pytestmark = pytest.mark.e2e


async def row_reaches(system, state: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = await system.db.fetch("SELECT * FROM dispatch.breaker_states")
        if len(rows) == 1 and rows[0]["state"] == state:
            return rows[0]
        await asyncio.sleep(0.2)
    raise AssertionError(f"the breaker's row never said {state}: {[dict(r) for r in rows]}")


async def gauge(ops: str) -> str:
    """The state the gauge on dispatch's /metrics has at 1."""
    async with httpx.AsyncClient(timeout=5) as client:
        metrics = (await client.get(f"{ops}/metrics")).text
    return next(
        line.split('"')[1]
        for line in metrics.splitlines()
        if line.startswith("accordeer_gateway_breaker_state{") and line.endswith(" 1.0")
    )


async def test_an_outage_opens_the_breaker_its_row_says_so_and_it_closes_again_after(system):
    port = free_port()
    system.start("digipoort_mock", "intake", "workflow")
    system.services.start_service(
        "dispatch", ACCORDEER_HTTP_PORT=str(port), ACCORDEER_DISPATCH_BREAKER_COOLDOWN_SECONDS="1"
    )
    closed = await row_reaches(system, "closed")
    assert closed["process"].endswith(f":{system.services.processes['dispatch'].pid}")

    await system.gateway("PUT", "/_admin/faults", json={"outage": True})
    items = await approve(system, "breaker", 8)
    opened = await row_reaches(system, "open")
    assert "failures in a row" in opened["reason"] and "503" in opened["reason"], opened["reason"]
    assert opened["since"] > closed["since"]
    assert await gauge(f"http://127.0.0.1:{port}") == "open"

    await system.gateway("PUT", "/_admin/faults", json={"outage": False})
    again = await row_reaches(system, "closed")
    assert again["since"] > opened["since"] and again["reason"] is None
    assert await gauge(f"http://127.0.0.1:{port}") == "closed"
    await system.wait_for(lambda: accepted(system, items) == len(items), timeout=60, what="80 for all")
