"""HTTP entrypoint of the mock gateway: thin endpoints over `Gateway`, and `create_app`, the composition root."""

import asyncio
import json
import logging
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.digipoort_mock import models
from services.digipoort_mock.connection import ConnectionDroppingStarlette, DroppedConnection
from services.digipoort_mock.faults import FaultConfig, FaultInjector
from services.digipoort_mock.gateway import Clock, Gateway, utc_now
from services.digipoort_mock.middleware import FaultMiddleware, Sleep
from services.digipoort_mock.settings import DigipoortMockSettings
from services.digipoort_mock.trails import TrailRouting, UnknownTrail

M = TypeVar("M", bound=BaseModel)
log = logging.getLogger("digipoort_mock")


class InvalidRequest(Exception):
    pass


class TooLarge(Exception):
    pass


async def _parse(request: Request, model: type[M], max_bytes: int) -> M:
    body = await _limited_body(request, max_bytes)
    try:
        body = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than Python's stack
        raise InvalidRequest("de body is geen geldige JSON") from None
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise InvalidRequest(models.describe(error)) from None


async def _limited_body(request: Request, max_bytes: int) -> bytes:
    """The body, refused as soon as it is known to be larger than ``max_bytes`` (declared or as it streams)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise TooLarge(f"de body is groter dan {max_bytes} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(f"de body is groter dan {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _invalid(request: Request, error: Exception) -> Response:
    return JSONResponse(models.fout("AL-VALIDATIE", str(error)), status_code=400)


async def _too_large(request: Request, error: Exception) -> Response:
    return JSONResponse(models.fout("AL-TE-GROOT", str(error)), status_code=413)


async def _client_gone(request: Request, error: Exception) -> Response:
    # A client that gave up (its timeout, a dispatch worker stopping) is ordinary for a gateway: one line.
    log.warning(
        "client %s disconnected before %s %s was answered",
        request.client and request.client.host,
        request.method,
        request.url.path,
    )
    return Response(status_code=499)  # nobody reads it; uvicorn drops writes to a closed connection


class Endpoints:
    def __init__(
        self, gateway: Gateway, injector: FaultInjector, initial_faults: FaultConfig, max_body_bytes: int
    ) -> None:
        self.gateway = gateway
        self.injector = injector
        self.initial_faults = initial_faults
        self.max_body_bytes = max_body_bytes

    async def aanleveren(self, request: Request) -> Response:
        aanlevering = await _parse(request, models.Aanlevering, self.max_body_bytes)
        try:
            delivery = self.gateway.deliver(
                aanlevering.aanleverkenmerk,
                aanlevering.berichtsoort,
                aanlevering.bericht_inhoud.inhoud,
                aanlevering.eerder_aanleverkenmerk,
            )
        except UnknownTrail as error:
            raise InvalidRequest(f"berichtInhoud.inhoud: {error}") from None
        if self.injector.drop_after_accept():
            return DroppedConnection()
        return JSONResponse(models.aanleverantwoord(delivery))

    async def status(self, request: Request) -> Response:
        kenmerk = request.path_params["kenmerk"]
        report = self.gateway.report(kenmerk)
        if report is None:
            return JSONResponse(
                models.fout("AL-ONBEKEND-KENMERK", f"kenmerk {kenmerk} is niet bekend"), status_code=404
            )
        return JSONResponse(models.statusrapport(report))

    async def statussen(self, request: Request) -> Response:
        verzoek = await _parse(request, models.StatussenVerzoek, self.max_body_bytes)
        resultaten = {}
        onbekend = []
        for kenmerk in dict.fromkeys(verzoek.kenmerken):
            report = self.gateway.report(kenmerk)
            if report is None:
                onbekend.append(kenmerk)
            else:
                resultaten[kenmerk] = models.statusrapport(report)
        return JSONResponse({"resultaten": resultaten, "onbekend": onbekend})

    async def get_faults(self, request: Request) -> Response:
        return JSONResponse(self.injector.config.model_dump())

    async def put_faults(self, request: Request) -> Response:
        self.injector.configure(await _parse(request, FaultConfig, self.max_body_bytes))
        return JSONResponse(self.injector.config.model_dump())

    async def get_trails(self, request: Request) -> Response:
        return JSONResponse(models.TrailRoutingConfig.of(self.gateway.routing).model_dump())

    async def put_trails(self, request: Request) -> Response:
        config = await _parse(request, models.TrailRoutingConfig, self.max_body_bytes)
        self.gateway.routing = config.to_routing()
        return JSONResponse(config.model_dump())

    async def received(self, request: Request) -> Response:
        return JSONResponse(models.received(self.gateway.store))

    async def reset(self, request: Request) -> Response:
        self.gateway.reset()
        self.injector.configure(self.initial_faults)
        return JSONResponse({"reset": True})

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})


def create_app(
    settings: DigipoortMockSettings | None = None,
    *,
    clock: Clock = utc_now,
    sleep: Sleep = asyncio.sleep,
) -> Starlette:
    settings = settings or DigipoortMockSettings()
    faults = settings.fault_config()
    injector = FaultInjector(faults)
    gateway = Gateway(TrailRouting(settings.default_trail), settings.seconds_per_step, clock)
    endpoints = Endpoints(gateway, injector, faults, settings.max_body_bytes)
    routes = [
        Route("/aanleveren", endpoints.aanleveren, methods=["POST"]),
        Route("/status/{kenmerk}", endpoints.status, methods=["GET"]),
        Route("/statussen", endpoints.statussen, methods=["POST"]),
        Route("/_admin/faults", endpoints.get_faults, methods=["GET"]),
        Route("/_admin/faults", endpoints.put_faults, methods=["PUT"]),
        Route("/_admin/trails", endpoints.get_trails, methods=["GET"]),
        Route("/_admin/trails", endpoints.put_trails, methods=["PUT"]),
        Route("/_admin/received", endpoints.received, methods=["GET"]),
        Route("/_admin/reset", endpoints.reset, methods=["POST"]),
        Route("/health", endpoints.health, methods=["GET"]),
    ]
    return ConnectionDroppingStarlette(
        routes=routes,
        middleware=[Middleware(FaultMiddleware, injector=injector, sleep=sleep)],
        exception_handlers={InvalidRequest: _invalid, TooLarge: _too_large, ClientDisconnect: _client_gone},
    )
