"""GET /status/{kenmerk} and POST /statussen: trails advancing on the clock, failure trails, batch polling."""

import httpx
import pytest

from tests.support.clock import FakeClock

from .helpers import aanlevering, deliver, status_codes, with_marker

HAPPY = [105, 100, 110, 200, 301, 405, 400, 500]


async def test_the_happy_trail_advances_one_status_per_step(client: httpx.AsyncClient, clock: FakeClock) -> None:
    kenmerk = (await deliver(client, aanlevering()))["kenmerk"]

    first = (await client.get(f"/status/{kenmerk}")).json()
    assert first["kenmerk"] == kenmerk
    assert first["aanleverkenmerk"] == "AK-0001"
    assert first["statussen"] == [
        {"statuscode": 105, "omschrijving": "aanleverproces gestart", "tijdstempel": clock.now.isoformat()}
    ]
    assert first["final"] is False

    clock.advance(3.5)
    assert await status_codes(client, kenmerk) == HAPPY[:4]

    clock.advance(3.5)
    last = (await client.get(f"/status/{kenmerk}")).json()
    assert [status["statuscode"] for status in last["statussen"]] == HAPPY
    assert last["statussen"][-1]["omschrijving"] == "verwerking door uitvragende partij gelukt"
    assert "foutcode" not in last["statussen"][-1]
    assert last["final"] is True


@pytest.mark.parametrize(
    ("trail", "codes", "foutcode"),
    [
        ("210", [105, 100, 210], "ATH0001"),
        ("311", [105, 100, 110, 311], "VAL0001"),
        ("410", [105, 100, 110, 200, 301, 410], "AFL0001"),
        ("510", [105, 100, 110, 200, 301, 405, 400, 510], "UP100001"),
    ],
)
async def test_a_failure_trail_ends_final_with_a_foutcode(
    client: httpx.AsyncClient, clock: FakeClock, trail: str, codes: list[int], foutcode: str
) -> None:
    kenmerk = (await deliver(client, with_marker(trail)))["kenmerk"]
    clock.advance(len(codes) - 1)

    report = (await client.get(f"/status/{kenmerk}")).json()
    assert [status["statuscode"] for status in report["statussen"]] == codes
    assert report["statussen"][-1]["foutcode"] == foutcode
    assert report["statussen"][-1]["foutbeschrijving"]
    assert report["final"] is True

    clock.advance(60)
    assert await status_codes(client, kenmerk) == codes


async def test_after_a_420_the_gateway_retries_and_the_trail_ends_accepted(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    kenmerk = (await deliver(client, with_marker("420")))["kenmerk"]

    clock.advance(5)
    report = (await client.get(f"/status/{kenmerk}")).json()
    assert report["statussen"][-1]["statuscode"] == 420
    assert report["statussen"][-1]["foutcode"] == "AFL0002"
    assert report["final"] is False

    clock.advance(2)
    assert (await status_codes(client, kenmerk))[-1] == 420

    clock.advance(3)
    report = (await client.get(f"/status/{kenmerk}")).json()
    assert [status["statuscode"] for status in report["statussen"]] == [105, 100, 110, 200, 301, 420, 405, 400, 500]
    assert report["final"] is True


async def test_the_trail_can_be_chosen_per_berichtsoort_at_runtime(client: httpx.AsyncClient, clock: FakeClock) -> None:
    routing = {"default": "210", "per_berichtsoort": {"Omzetbelasting": "311"}}
    response = await client.put("/_admin/trails", json=routing)
    assert response.status_code == 200

    omzetbelasting = await deliver(client, aanlevering("AK-1"))
    loonaangifte = await deliver(client, aanlevering("AK-2", berichtsoort="Loonaangifte"))
    marked = await deliver(client, with_marker("510", "AK-3"))
    clock.advance(60)

    assert (await status_codes(client, omzetbelasting["kenmerk"]))[-1] == 311
    assert (await status_codes(client, loonaangifte["kenmerk"]))[-1] == 210
    assert (await status_codes(client, marked["kenmerk"]))[-1] == 510


async def test_an_unknown_kenmerk_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/status/bestaat-niet")

    assert response.status_code == 404
    assert response.json()["foutcode"] == "AL-ONBEKEND-KENMERK"


async def test_batch_status_answers_known_kenmerken_and_lists_unknown_ones(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    happy = (await deliver(client, aanlevering("AK-1")))["kenmerk"]
    declined = (await deliver(client, with_marker("510", "AK-2")))["kenmerk"]
    clock.advance(2)

    response = await client.post("/statussen", json={"kenmerken": [happy, "onbekend-1", declined, happy]})

    assert response.status_code == 200
    body = response.json()
    assert body["resultaten"] == {
        happy: (await client.get(f"/status/{happy}")).json(),
        declined: (await client.get(f"/status/{declined}")).json(),
    }
    assert body["onbekend"] == ["onbekend-1"]


async def test_batch_status_refuses_a_body_without_kenmerken(client: httpx.AsyncClient) -> None:
    response = await client.post("/statussen", json={"kenmerk": "x"})

    assert response.status_code == 400
    assert "kenmerken" in response.json()["foutbeschrijving"]
