"""Fault injection over HTTP: 503s that record nothing, outages, latency; the admin API stays reliable."""

import httpx
import pytest

from services.digipoort_mock.app import create_app
from services.digipoort_mock.settings import DigipoortMockSettings
from tests.support.clock import FakeClock

from .helpers import RecordingSleep, aanlevering, deliver


async def set_faults(client: httpx.AsyncClient, **faults: object) -> None:
    response = await client.put("/_admin/faults", json=faults)
    assert response.status_code == 200, response.text


async def test_error_rate_one_answers_503_and_records_nothing(client: httpx.AsyncClient) -> None:
    kenmerk = (await deliver(client, aanlevering("AK-1")))["kenmerk"]
    await set_faults(client, error_rate=1)

    answers = [
        await client.post("/aanleveren", json=aanlevering("AK-2")),
        await client.get(f"/status/{kenmerk}"),
        await client.post("/statussen", json={"kenmerken": [kenmerk]}),
    ]

    assert [answer.status_code for answer in answers] == [503, 503, 503]
    assert all(answer.json()["foutcode"] == "AL-NIET-BESCHIKBAAR" for answer in answers)
    assert answers[0].headers["retry-after"] == "1"
    summary = (await client.get("/_admin/received")).json()
    assert summary["total_attempts"] == 1
    assert "AK-2" not in summary["attempts_per_aanleverkenmerk"]


async def test_an_outage_answers_503_at_once_until_it_ends(client: httpx.AsyncClient, sleep: RecordingSleep) -> None:
    await set_faults(client, outage=True, latency_ms=1000)

    for answer in [
        await client.post("/aanleveren", json=aanlevering()),
        await client.get("/status/iets"),
        await client.post("/statussen", json={"kenmerken": []}),
    ]:
        assert answer.status_code == 503
        assert answer.json()["foutcode"] == "AL-STORING"
    assert sleep.delays == []
    assert (await client.get("/_admin/received")).json()["total_attempts"] == 0

    await set_faults(client, outage=False)
    await deliver(client, aanlevering())


async def test_latency_delays_the_public_endpoints_only(client: httpx.AsyncClient, sleep: RecordingSleep) -> None:
    await set_faults(client, latency_ms=300, latency_jitter_ms=100, seed=5)

    kenmerk = (await deliver(client, aanlevering()))["kenmerk"]
    await client.get(f"/status/{kenmerk}")
    await client.get("/_admin/received")
    await client.get("/health")

    assert len(sleep.delays) == 2
    assert all(0.3 <= delay <= 0.4 for delay in sleep.delays)


async def test_faults_can_be_set_by_settings_at_start(clock: FakeClock, sleep: RecordingSleep) -> None:
    app = create_app(DigipoortMockSettings(error_rate=1), clock=clock, sleep=sleep)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://digipoort.test") as client:
        assert (await client.post("/aanleveren", json=aanlevering())).status_code == 503
        assert (await client.get("/_admin/received")).json()["total_attempts"] == 0


@pytest.mark.parametrize("seed", [1, 2])
async def test_a_seeded_error_rate_fails_the_same_requests_every_run(seed: int, clock: FakeClock) -> None:
    async def statuses() -> list[int]:
        app = create_app(DigipoortMockSettings(error_rate=0.5, seed=seed), clock=clock, sleep=RecordingSleep())
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            return [(await client.get("/status/x")).status_code for _ in range(30)]

    first = await statuses()
    assert first == await statuses()
    assert set(first) == {404, 503}
