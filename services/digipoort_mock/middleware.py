"""ASGI middleware that makes the public endpoints slow, unavailable or hang up, before they change anything."""

import asyncio
from collections.abc import Awaitable, Callable

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from services.digipoort_mock.connection import DroppedConnection
from services.digipoort_mock.faults import Fault, FaultInjector
from services.digipoort_mock.models import fout

Sleep = Callable[[float], Awaitable[None]]


def is_subject_to_faults(path: str) -> bool:
    return path == "/aanleveren" or path.startswith("/status")


def unavailable(foutcode: str, foutbeschrijving: str) -> JSONResponse:
    return JSONResponse(fout(foutcode, foutbeschrijving), status_code=503, headers={"Retry-After": "1"})


class FaultMiddleware:
    def __init__(self, app: ASGIApp, injector: FaultInjector, sleep: Sleep = asyncio.sleep) -> None:
        self.app = app
        self.injector = injector
        self.sleep = sleep

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_subject_to_faults(scope["path"]):
            response = await self._fault_response()
            if response is not None:
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _fault_response(self) -> Response | None:
        # An outage answers at once; only a working gateway is slow.
        if not self.injector.is_outage():
            delay = self.injector.delay_seconds()
            if delay > 0:
                await self.sleep(delay)
        match self.injector.fault_before_handling():
            case Fault.OUTAGE:
                return unavailable("AL-STORING", "Digipoort is door een storing niet beschikbaar.")
            case Fault.ERROR:
                return unavailable("AL-NIET-BESCHIKBAAR", "Digipoort kan het verzoek nu niet verwerken.")
            case Fault.DROP:
                return DroppedConnection()
            case None:
                return None
