"""A small asyncio TCP proxy for the chaos run: stands in front of one broker and adds delay and lost connections.

Loss on TCP is not lost bytes (the kernel retransmits) but connections that break: with ``drop_rate`` each
chunk forwarded may abort its connection (both sides see a reset), and ``cut_all`` aborts every open one.
``latency_ms`` (plus up to ``jitter_ms``) delays each chunk in its direction, keeping its order.
"""

import asyncio
import random
import time
from dataclasses import dataclass, field


@dataclass
class ProxyKnobs:
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    drop_rate: float = 0.0
    """Chance per forwarded chunk that the connection is aborted instead."""


@dataclass
class TcpProxy:
    listen_port: int
    target_port: int
    host: str = "127.0.0.1"
    knobs: ProxyKnobs = field(default_factory=ProxyKnobs)
    seed: int = 0
    connections: int = 0
    dropped: int = 0
    _server: asyncio.base_events.Server | None = None
    _open: set[asyncio.StreamWriter] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    async def start(self) -> "TcpProxy":
        self._server = await asyncio.start_server(self._accept, self.host, self.listen_port, reuse_address=True)
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self.cut_all()
            await self._server.wait_closed()

    def cut_all(self) -> None:
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            broker_reader, broker_writer = await asyncio.open_connection(self.host, self.target_port)
        except OSError:
            client_writer.transport.abort()  # the broker is down: the client sees the connection refused
            return
        pair = (client_writer, broker_writer)
        self._open.update(pair)
        try:
            await asyncio.gather(
                self._pipe(client_reader, broker_writer, pair), self._pipe(broker_reader, client_writer, pair)
            )
        finally:
            for writer in pair:
                self._open.discard(writer)
                writer.transport.abort()

    async def _pipe(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        pair: tuple[asyncio.StreamWriter, asyncio.StreamWriter],
    ) -> None:
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        sender = asyncio.create_task(self._send_later(queue, writer))
        try:
            while data := await reader.read(65536):
                if self.knobs.drop_rate and self._random.random() < self.knobs.drop_rate:
                    self.dropped += 1
                    for one in pair:
                        one.transport.abort()
                    return
                queue.put_nowait((time.monotonic() + self._delay(), data))
            flushed = asyncio.create_task(queue.join())
            await asyncio.wait({sender, flushed}, return_when=asyncio.FIRST_COMPLETED)
            flushed.cancel()
        except (ConnectionError, OSError):
            pass
        finally:
            sender.cancel()
            for one in pair:
                one.transport.abort()

    async def _send_later(self, queue: asyncio.Queue, writer: asyncio.StreamWriter) -> None:
        while True:
            due, data = await queue.get()
            if (wait := due - time.monotonic()) > 0:
                await asyncio.sleep(wait)
            try:
                writer.write(data)
                await writer.drain()
            except (ConnectionError, OSError):
                return
            finally:
                queue.task_done()

    def _delay(self) -> float:
        jitter = self._random.uniform(0, self.knobs.jitter_ms) if self.knobs.jitter_ms else 0.0
        return (self.knobs.latency_ms + jitter) / 1000
