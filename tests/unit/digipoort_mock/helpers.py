"""Fakes and helpers for the mock gateway tests: a sleep that only records, request bodies."""

import base64
from typing import Any

import httpx

SECONDS_PER_STEP = 1.0


class RecordingSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def aanlevering(aanleverkenmerk: str = "AK-0001", content: bytes = b"<aangifte/>", **fields: Any) -> dict[str, Any]:
    return {
        "berichtsoort": "Omzetbelasting",
        "aanleverkenmerk": aanleverkenmerk,
        "identiteitBelanghebbende": {"nummer": "001234567B01", "type": "BTW"},
        "rolBelanghebbende": "Bedrijf",
        "berichtInhoud": {
            "mimeType": "application/xml",
            "bestandsnaam": "aangifte.xml",
            "inhoud": base64.b64encode(content).decode("ascii"),
        },
        **fields,
    }


def with_marker(trail: str, aanleverkenmerk: str = "AK-0001") -> dict[str, Any]:
    return aanlevering(aanleverkenmerk, content=f"<aangifte><!-- MOCK-TRAIL:{trail} --></aangifte>".encode())


async def deliver(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/aanleveren", json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def status_codes(client: httpx.AsyncClient, kenmerk: str) -> list[int]:
    response = await client.get(f"/status/{kenmerk}")
    assert response.status_code == 200, response.text
    return [status["statuscode"] for status in response.json()["statussen"]]
