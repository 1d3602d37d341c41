"""Dropped connections, over a real uvicorn server on 127.0.0.1: only a real socket can be hung up on."""

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn

from services.digipoort_mock.app import create_app
from services.digipoort_mock.settings import DigipoortMockSettings

from .helpers import aanlevering


@pytest.fixture
async def base_url() -> AsyncIterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(DigipoortMockSettings(port=port, seconds_per_step=0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="critical"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            assert not task.done(), "uvicorn stopped while starting"
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=5)
        sock.close()


async def test_a_dropped_connection_is_a_transport_error_and_drop_after_accept_still_records(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=5) as client:
        await client.put("/_admin/faults", json={"drop_rate": 1})
        with pytest.raises(httpx.RemoteProtocolError):
            await client.post("/aanleveren", json=aanlevering("AK-1"))
        assert (await client.get("/_admin/received")).json()["total_attempts"] == 0

        await client.put("/_admin/faults", json={"drop_after_accept_rate": 1})
        with pytest.raises(httpx.RemoteProtocolError):
            await client.post("/aanleveren", json=aanlevering("AK-1"))
        recorded = (await client.get("/_admin/received")).json()
        assert recorded["total_deliveries"] == 1

        # The nasty case: the client never heard it succeeded, retries, and must get the same kenmerk.
        await client.put("/_admin/faults", json={})
        retry = await client.post("/aanleveren", json=aanlevering("AK-1"))
        assert retry.status_code == 200
        assert retry.json()["kenmerk"] == recorded["deliveries"][0]["kenmerk"]
        assert (await client.get("/_admin/received")).json()["attempts_per_aanleverkenmerk"] == {"AK-1": 2}


async def test_a_client_that_gives_up_is_one_log_line_not_a_traceback(caplog: pytest.LogCaptureFixture) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(DigipoortMockSettings(port=port, seconds_per_step=0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_config=None, log_level="info"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:  # noqa: ASYNC110 - uvicorn's Server has only this flag, no event to wait on
            await asyncio.sleep(0.01)
        base_url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base_url, timeout=5) as client:
            await client.put("/_admin/faults", json={"latency_ms": 600})
        with caplog.at_level("INFO"):
            async with httpx.AsyncClient(base_url=base_url, timeout=0.2) as impatient:
                with pytest.raises(httpx.TimeoutException):
                    await impatient.post("/aanleveren", json=aanlevering("AK-GONE"))
            await asyncio.sleep(1)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=5)
        sock.close()
    assert [r.getMessage() for r in caplog.records if "disconnected" in r.getMessage()] == [
        "client 127.0.0.1 disconnected before POST /aanleveren was answered"
    ]
    assert not [r for r in caplog.records if r.exc_info or r.levelname == "ERROR"]
