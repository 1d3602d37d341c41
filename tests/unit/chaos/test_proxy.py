"""The chaos run's TCP proxy on loopback sockets: it forwards, delays by its latency, and breaks connections."""

import asyncio
import time

from accordeer.chaos.proxy import ProxyKnobs, TcpProxy
from accordeer.localstack.kafka import free_port


async def _echo_server():
    async def echo(reader, writer):
        while data := await reader.read(1024):
            writer.write(data)
            await writer.drain()
        writer.close()

    return await asyncio.start_server(echo, "127.0.0.1", 0)


async def _round_trip(port: int, payload: bytes = b"ping") -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(payload)
        await writer.drain()
        return await asyncio.wait_for(reader.read(1024), 5)
    finally:
        writer.close()


async def test_forwards_both_ways_with_the_added_latency():
    server = await _echo_server()
    proxy = await TcpProxy(free_port(), server.sockets[0].getsockname()[1]).start()
    try:
        assert await _round_trip(proxy.listen_port) == b"ping"
        proxy.knobs = ProxyKnobs(latency_ms=150)
        started = time.monotonic()
        assert await _round_trip(proxy.listen_port) == b"ping"
        assert time.monotonic() - started >= 0.3  # 150 ms each way
    finally:
        await proxy.stop()
        server.close()


async def test_drops_connections_at_its_drop_rate_and_on_cut():
    server = await _echo_server()
    proxy = await TcpProxy(free_port(), server.sockets[0].getsockname()[1], knobs=ProxyKnobs(drop_rate=1.0)).start()
    try:
        assert await _round_trip(proxy.listen_port) == b""  # aborted: no answer
        assert proxy.dropped == 1
        proxy.knobs = ProxyKnobs()
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.listen_port)
        writer.write(b"x")
        assert await asyncio.wait_for(reader.read(1), 5) == b"x"
        proxy.cut_all()
        assert await asyncio.wait_for(reader.read(1), 5) == b""
        writer.close()
    finally:
        await proxy.stop()
        server.close()
