"""The HTTP gateway client: every answer and failure typed as transient or permanent (a local HTTP server
answering as told), and the client against the mock gateway's own app."""

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import uvicorn
from aiohttp import web

from services.digipoort_mock.app import create_app
from services.digipoort_mock.settings import DigipoortMockSettings
from services.dispatch import domain
from services.dispatch.gateway import HttpGateway, PermanentGatewayError, Receipt, TransientGatewayError
from shared.contracts.status import StatusCode

from .fakes import approved

REQUEST = domain.delivery_request(
    approved(1),
    berichtsoort="Omzetbelasting",
    rol="Intermediair",
    aanleverkenmerk=domain.aanleverkenmerk(approved(1).dossier_item_id),
)


@asynccontextmanager
async def gateway_answering(handler, *, timeout: float = 5.0) -> AsyncIterator[HttpGateway]:
    """A client of a local server whose every request ``handler`` answers (an aiohttp handler)."""
    app = web.Application()
    app.router.add_route("*", "/{path:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]  # the port the system gave the site
    gateway = HttpGateway(f"http://127.0.0.1:{port}", timeout=timeout)
    try:
        yield gateway
    finally:
        await gateway.close()
        await runner.cleanup()


def answer(status: int, body=None, **kwargs):
    async def handler(request: web.Request) -> web.Response:
        if body is not None:
            return web.json_response(body, status=status)
        return web.Response(status=status, **kwargs)

    return handler


async def delivering(handler, **options) -> Receipt:
    async with gateway_answering(handler, **options) as gateway:
        return await gateway.deliver(REQUEST)


async def test_an_accepted_delivery_gives_the_gateways_kenmerk():
    seen = []

    async def handler(request: web.Request) -> web.Response:
        seen.append((request.method, request.path, json.loads(await request.read())))
        return web.json_response(
            {
                "kenmerk": "k-1",
                "aanleverkenmerk": REQUEST["aanleverkenmerk"],
                "tijdstempelAangeleverd": "2026-01-05T09:00:00+00:00",
            }
        )

    receipt = await delivering(handler)

    assert receipt == Receipt(kenmerk="k-1", timestamp="2026-01-05T09:00:00+00:00")
    assert seen == [("POST", "/aanleveren", REQUEST)]


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 429])
async def test_server_errors_and_try_later_answers_are_transient(status):
    with pytest.raises(TransientGatewayError, match=f"HTTP {status}"):
        await delivering(answer(status, {"foutcode": "AL-STORING", "foutbeschrijving": "storing"}))


async def test_a_refusal_with_a_foutcode_is_permanent_and_keeps_the_gateways_code_and_text():
    refusal = {"foutcode": "AL-VALIDATIE", "foutbeschrijving": "aanleverkenmerk: te lang"}
    with pytest.raises(PermanentGatewayError) as refused:
        await delivering(answer(400, refusal))

    assert (refused.value.code, refused.value.text) == ("AL-VALIDATIE", "aanleverkenmerk: te lang")


async def test_a_refusal_without_a_json_body_is_permanent_with_the_http_status_as_code():
    with pytest.raises(PermanentGatewayError) as refused:
        await delivering(answer(404, text="not found"))

    assert refused.value.code == "HTTP 404"


async def test_a_gateway_that_cannot_be_reached_is_transient():
    async with gateway_answering(answer(200, {"kenmerk": "k-1"})) as reachable:
        address = reachable.base_url
    gone = HttpGateway(address)  # its server is closed now: connection refused
    with pytest.raises(TransientGatewayError, match="ClientConnectorError"):
        await gone.deliver(REQUEST)
    await gone.close()


async def test_a_connection_dropped_without_an_answer_is_transient():
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(100)
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    gateway = HttpGateway(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}")
    try:
        with pytest.raises(TransientGatewayError, match="ServerDisconnectedError"):
            await gateway.deliver(REQUEST)
    finally:
        await gateway.close()
        server.close()


async def test_an_answer_that_does_not_come_within_the_deadline_is_transient():
    async def handler(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.json_response({"kenmerk": "late"})

    with pytest.raises(TransientGatewayError, match="no answer within"):
        await delivering(handler, timeout=0.02)


@pytest.mark.parametrize(
    "handler",
    [
        answer(200, text="<html>proxy</html>"),
        answer(200, ["not", "an", "object"]),
        answer(200, {"aanleverkenmerk": "no kenmerk"}),
    ],
)
async def test_an_unreadable_success_is_transient_because_sending_again_is_safe(handler):
    with pytest.raises(TransientGatewayError):
        await delivering(handler)


async def test_statuses_are_read_per_kenmerk_and_unknown_kenmerken_are_left_out():
    body = {
        "resultaten": {
            "k-1": {
                "kenmerk": "k-1",
                "statussen": [
                    {"statuscode": 105, "omschrijving": "aanleverproces gestart", "tijdstempel": "t0"},
                    {
                        "statuscode": 510,
                        "omschrijving": "mislukt",
                        "tijdstempel": "t1",
                        "foutcode": "ALS100001",
                        "foutbeschrijving": "niet verwerkt",
                    },
                ],
            }
        },
        "onbekend": ["k-2"],
    }

    async with gateway_answering(answer(200, body)) as gateway:
        trails = await gateway.statuses(["k-1", "k-2"])

    assert trails == {
        "k-1": [
            domain.GatewayStatus(105, "aanleverproces gestart", "t0"),
            domain.GatewayStatus(510, "mislukt", "t1", error_code="ALS100001", error_text="niet verwerkt"),
        ]
    }


async def test_an_unreadable_status_answer_is_transient():
    async with gateway_answering(answer(200, {"resultaten": {"k-1": {"statussen": [{"code": 1}]}}})) as gateway:
        with pytest.raises(TransientGatewayError):
            await gateway.statuses(["k-1"])


# -- against the mock gateway's app, served here ----------------------------------------------------------------


@asynccontextmanager
async def mock_gateway(**faults) -> AsyncIterator[HttpGateway]:
    app = create_app(DigipoortMockSettings(seconds_per_step=0, **faults))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="warning"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        assert not serving.done(), "the mock gateway did not start"
        await asyncio.sleep(0.01)
    gateway = HttpGateway(f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}")
    try:
        yield gateway
    finally:
        await gateway.close()
        server.should_exit = True
        await serving


async def test_the_mock_answers_a_second_delivery_with_the_first_kenmerk_and_shows_its_trail():
    async with mock_gateway() as gateway:
        first = await gateway.deliver(REQUEST)
        again = await gateway.deliver(REQUEST)
        trails = await gateway.statuses([first.kenmerk, "unknown"])

    assert again == first
    assert [s.code for s in trails[first.kenmerk]] == [105, 100, 110, 200, 301, 405, 400, 500]
    assert "unknown" not in trails


async def test_a_declining_trail_ends_with_the_authoritys_code():
    content = base64.b64encode(b"<aangifte>MOCK-TRAIL:510</aangifte>").decode()
    request = {**REQUEST, "berichtInhoud": {**REQUEST["berichtInhoud"], "inhoud": content}}

    async with mock_gateway() as gateway:
        receipt = await gateway.deliver(request)
        last = (await gateway.statuses([receipt.kenmerk]))[receipt.kenmerk][-1]

    assert (last.code, last.error_code) == (510, "UP100001")
    assert domain.our_status(last) is StatusCode.DECLINED_BY_AUTHORITY


async def test_the_mocks_outage_and_its_validation_errors_are_told_apart():
    async with mock_gateway(outage=True) as gateway:
        with pytest.raises(TransientGatewayError, match="503"):
            await gateway.deliver(REQUEST)
    async with mock_gateway() as gateway:
        with pytest.raises(PermanentGatewayError) as refused:
            await gateway.deliver({**REQUEST, "aanleverkenmerk": "x" * 41})
    assert refused.value.code == "AL-VALIDATIE"
