"""Each service's operations endpoint: liveness, readiness (PostgreSQL and the broker) and Prometheus metrics."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

Check = Callable[[], Awaitable[bool]]


def ops_app(service: str, checks: dict[str, Check]) -> Starlette:
    async def live(_: Request) -> JSONResponse:
        return JSONResponse({"service": service, "status": "live"})

    async def ready(_: Request) -> JSONResponse:
        results = {}
        for name, check in checks.items():
            try:
                results[name] = await check()
            except Exception:  # a failing dependency is an answer here, not an error
                results[name] = False
        ok = all(results.values())
        return JSONResponse({"service": service, "ready": ok, "checks": results}, status_code=200 if ok else 503)

    async def metrics(_: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return Starlette(
        routes=[
            Route("/health/live", live),
            Route("/health/ready", ready),
            Route("/metrics", metrics),
        ]
    )


class QuietServer(uvicorn.Server):
    """uvicorn ticking once a second instead of ten times: an idle process's wake-ups. A tick is counted as ten, so
    the Date header is still renewed every second and a stop is seen within one."""

    async def main_loop(self) -> None:
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 10) % 864000
            await asyncio.sleep(1.0)
            should_exit = await self.on_tick(counter)


class _EmbeddedServer(QuietServer):
    """uvicorn inside the service's own event loop: the service, not uvicorn, owns the signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_ops(app: Starlette, host: str, port: int) -> None:
    server = _EmbeddedServer(
        uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="off")
    )
    await server.serve()
