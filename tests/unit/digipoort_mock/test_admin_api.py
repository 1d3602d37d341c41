"""The admin API: what was received, runtime configuration, reset, and health."""

import httpx
import pytest

from services.digipoort_mock.settings import DigipoortMockSettings
from tests.support.clock import FakeClock

from .helpers import SECONDS_PER_STEP, aanlevering, deliver, with_marker


async def test_health(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200


async def test_received_lists_each_delivery_with_its_trail(client: httpx.AsyncClient, clock: FakeClock) -> None:
    answer = await deliver(client, with_marker("311", "AK-1"))

    summary = (await client.get("/_admin/received")).json()

    assert summary == {
        "total_deliveries": 1,
        "total_attempts": 1,
        "per_aanleverkenmerk": {"AK-1": 1},
        "attempts_per_aanleverkenmerk": {"AK-1": 1},
        "deliveries": [
            {
                "aanleverkenmerk": "AK-1",
                "kenmerk": answer["kenmerk"],
                "berichtsoort": "Omzetbelasting",
                "trail": "311",
                "received_at": clock.now.isoformat(),
                "eerder_aanleverkenmerk": None,
            }
        ],
    }


@pytest.fixture
def settings() -> DigipoortMockSettings:
    return DigipoortMockSettings(seconds_per_step=SECONDS_PER_STEP, latency_ms=5, default_trail="410")


async def test_faults_start_from_settings_and_can_be_replaced(client: httpx.AsyncClient) -> None:
    assert (await client.get("/_admin/faults")).json()["latency_ms"] == 5

    response = await client.put("/_admin/faults", json={"error_rate": 0.25, "seed": 3})

    assert response.status_code == 200
    faults = (await client.get("/_admin/faults")).json()
    assert faults["error_rate"] == 0.25
    assert faults["seed"] == 3
    assert faults["latency_ms"] == 0


@pytest.mark.parametrize("body", [{"error_rate": 1.5}, {"drop_rate": -0.1}, {"latency_ms": -1}, {"typo_rate": 1}])
async def test_invalid_faults_are_refused_and_change_nothing(
    client: httpx.AsyncClient, body: dict[str, object]
) -> None:
    before = (await client.get("/_admin/faults")).json()

    response = await client.put("/_admin/faults", json=body)

    assert response.status_code == 400
    assert response.json()["foutcode"] == "AL-VALIDATIE"
    assert (await client.get("/_admin/faults")).json() == before


async def test_trail_routing_starts_from_settings_and_refuses_unknown_trails(client: httpx.AsyncClient) -> None:
    assert (await client.get("/_admin/trails")).json() == {"default": "410", "per_berichtsoort": {}}

    response = await client.put("/_admin/trails", json={"per_berichtsoort": {"Omzetbelasting": "600"}})

    assert response.status_code == 400
    assert "600" in response.json()["foutbeschrijving"]
    assert (await client.get("/_admin/trails")).json()["per_berichtsoort"] == {}


async def test_reset_forgets_deliveries_and_restores_the_starting_configuration(client: httpx.AsyncClient) -> None:
    kenmerk = (await deliver(client, aanlevering("AK-1")))["kenmerk"]
    await client.put("/_admin/faults", json={"drop_rate": 0.5})
    await client.put("/_admin/trails", json={"default": "500", "per_berichtsoort": {"Omzetbelasting": "210"}})

    response = await client.post("/_admin/reset")

    assert response.status_code == 200
    summary = (await client.get("/_admin/received")).json()
    assert (summary["total_deliveries"], summary["total_attempts"], summary["deliveries"]) == (0, 0, [])
    assert (await client.get(f"/status/{kenmerk}")).status_code == 404
    assert (await client.get("/_admin/faults")).json()["drop_rate"] == 0
    assert (await client.get("/_admin/faults")).json()["latency_ms"] == 5
    assert (await client.get("/_admin/trails")).json() == {"default": "410", "per_berichtsoort": {}}
    again = await deliver(client, aanlevering("AK-1"))
    assert again["kenmerk"] != kenmerk
