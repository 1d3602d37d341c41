"""The HTTP gateway client: every answer and failure typed as transient or permanent (httpx.MockTransport),
and the client against the mock gateway's own app, in process."""

import asyncio
import base64
import json

import httpx
import pytest

from services.digipoort_mock.app import create_app
from services.digipoort_mock.settings import DigipoortMockSettings
from services.dispatch import domain
from services.dispatch.gateway import HttpGateway, PermanentGatewayError, Receipt, TransientGatewayError
from shared.contracts.status import StatusCode

from .fakes import approved

REQUEST = domain.delivery_request(approved(1), berichtsoort="Omzetbelasting", rol="Intermediair",
                                  aanleverkenmerk=domain.aanleverkenmerk(approved(1).dossier_item_id))


def gateway_answering(handler, *, timeout: float = 5.0) -> HttpGateway:
    return HttpGateway("http://digipoort.test", timeout=timeout, transport=httpx.MockTransport(handler))


def answer(status: int, body=None, **kwargs):
    if body is not None:
        kwargs["json"] = body
    return lambda request: httpx.Response(status, **kwargs)


async def test_an_accepted_delivery_gives_the_gateways_kenmerk():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.url.path, json.loads(request.content)))
        return httpx.Response(200, json={"kenmerk": "k-1", "aanleverkenmerk": REQUEST["aanleverkenmerk"],
                                         "tijdstempelAangeleverd": "2026-01-05T09:00:00+00:00"})

    receipt = await gateway_answering(handler).deliver(REQUEST)

    assert receipt == Receipt(kenmerk="k-1", timestamp="2026-01-05T09:00:00+00:00")
    assert seen == [("POST", "/aanleveren", REQUEST)]


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 429])
async def test_server_errors_and_try_later_answers_are_transient(status):
    with pytest.raises(TransientGatewayError, match=f"HTTP {status}"):
        await gateway_answering(answer(status, {"foutcode": "AL-STORING", "foutbeschrijving": "storing"})).deliver(
            REQUEST)


async def test_a_refusal_with_a_foutcode_is_permanent_and_keeps_the_gateways_code_and_text():
    refusal = {"foutcode": "AL-VALIDATIE", "foutbeschrijving": "aanleverkenmerk: te lang"}
    gateway = gateway_answering(answer(400, refusal))

    with pytest.raises(PermanentGatewayError) as refused:
        await gateway.deliver(REQUEST)

    assert (refused.value.code, refused.value.text) == ("AL-VALIDATIE", "aanleverkenmerk: te lang")


async def test_a_refusal_without_a_json_body_is_permanent_with_the_http_status_as_code():
    with pytest.raises(PermanentGatewayError) as refused:
        await gateway_answering(answer(404, text="not found")).deliver(REQUEST)

    assert refused.value.code == "HTTP 404"


@pytest.mark.parametrize("error", [
    httpx.ConnectError("connection refused"),
    httpx.RemoteProtocolError("Server disconnected without sending a response."),
    httpx.ReadTimeout("timed out"),
    httpx.ReadError(""),
])
async def test_transport_errors_are_transient(error):
    def handler(request):
        raise error

    with pytest.raises(TransientGatewayError, match=type(error).__name__):
        await gateway_answering(handler).deliver(REQUEST)


async def test_an_answer_that_does_not_come_within_the_deadline_is_transient():
    async def handler(request):
        await asyncio.sleep(5)
        return httpx.Response(200, json={"kenmerk": "late"})

    with pytest.raises(TransientGatewayError, match="no answer within"):
        await gateway_answering(handler, timeout=0.02).deliver(REQUEST)


@pytest.mark.parametrize("response", [
    httpx.Response(200, text="<html>proxy</html>"),
    httpx.Response(200, json=["not", "an", "object"]),
    httpx.Response(200, json={"aanleverkenmerk": "no kenmerk"}),
])
async def test_an_unreadable_success_is_transient_because_sending_again_is_safe(response):
    with pytest.raises(TransientGatewayError):
        await gateway_answering(lambda request: response).deliver(REQUEST)


async def test_statuses_are_read_per_kenmerk_and_unknown_kenmerken_are_left_out():
    body = {"resultaten": {"k-1": {"kenmerk": "k-1", "statussen": [
        {"statuscode": 105, "omschrijving": "aanleverproces gestart", "tijdstempel": "t0"},
        {"statuscode": 510, "omschrijving": "mislukt", "tijdstempel": "t1", "foutcode": "ALS100001",
         "foutbeschrijving": "niet verwerkt"}]}}, "onbekend": ["k-2"]}

    trails = await gateway_answering(answer(200, body)).statuses(["k-1", "k-2"])

    assert trails == {"k-1": [
        domain.GatewayStatus(105, "aanleverproces gestart", "t0"),
        domain.GatewayStatus(510, "mislukt", "t1", error_code="ALS100001", error_text="niet verwerkt")]}


async def test_an_unreadable_status_answer_is_transient():
    with pytest.raises(TransientGatewayError):
        await gateway_answering(answer(200, {"resultaten": {"k-1": {"statussen": [{"code": 1}]}}})).statuses(["k-1"])


# -- against the mock gateway's app, in process ------------------------------------------------------------------

def mock_gateway(**faults) -> HttpGateway:
    app = create_app(DigipoortMockSettings(seconds_per_step=0, **faults))
    return HttpGateway("http://digipoort.test", transport=httpx.ASGITransport(app=app))


async def test_the_mock_answers_a_second_delivery_with_the_first_kenmerk_and_shows_its_trail():
    gateway = mock_gateway()

    first = await gateway.deliver(REQUEST)
    again = await gateway.deliver(REQUEST)
    trails = await gateway.statuses([first.kenmerk, "unknown"])

    assert again == first
    assert [s.code for s in trails[first.kenmerk]] == [105, 100, 110, 200, 301, 405, 400, 500]
    assert "unknown" not in trails


async def test_a_declining_trail_ends_with_the_authoritys_code():
    gateway = mock_gateway()
    content = base64.b64encode(b"<aangifte>MOCK-TRAIL:510</aangifte>").decode()
    request = {**REQUEST, "berichtInhoud": {**REQUEST["berichtInhoud"], "inhoud": content}}

    receipt = await gateway.deliver(request)
    last = (await gateway.statuses([receipt.kenmerk]))[receipt.kenmerk][-1]

    assert (last.code, last.error_code) == (510, "UP100001")
    assert domain.our_status(last) is StatusCode.DECLINED_BY_AUTHORITY


async def test_the_mocks_outage_and_its_validation_errors_are_told_apart():
    with pytest.raises(TransientGatewayError, match="503"):
        await mock_gateway(outage=True).deliver(REQUEST)
    with pytest.raises(PermanentGatewayError) as refused:
        await mock_gateway().deliver({**REQUEST, "aanleverkenmerk": "x" * 41})
    assert refused.value.code == "AL-VALIDATIE"
