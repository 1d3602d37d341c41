"""POST /aanleveren: the answer, idempotency on aanleverkenmerk, and refusing what does not validate."""

import uuid
from typing import Any

import httpx
import pytest

from tests.support.clock import FakeClock

from .helpers import aanlevering, deliver, with_marker


async def received(client: httpx.AsyncClient) -> dict[str, Any]:
    return (await client.get("/_admin/received")).json()


async def test_a_delivery_gets_the_gateways_own_kenmerk_and_a_timestamp(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    answer = await deliver(client, aanlevering("AK-0001"))

    assert uuid.UUID(answer["kenmerk"])
    assert answer["aanleverkenmerk"] == "AK-0001"
    assert answer["tijdstempelAangeleverd"] == clock.now.isoformat()


async def test_the_same_aanleverkenmerk_again_gets_the_first_answer_and_is_counted_once(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    first = await deliver(client, aanlevering("AK-0001"))
    clock.advance(30)
    again = await deliver(client, aanlevering("AK-0001", content=b"<anders/>"))
    other = await deliver(client, aanlevering("AK-0002"))

    assert again == first
    assert other["kenmerk"] != first["kenmerk"]
    summary = await received(client)
    assert summary["total_deliveries"] == 2
    assert summary["total_attempts"] == 3
    assert summary["per_aanleverkenmerk"] == {"AK-0001": 1, "AK-0002": 1}
    assert summary["attempts_per_aanleverkenmerk"] == {"AK-0001": 2, "AK-0002": 1}


async def test_an_aanleverkenmerk_of_forty_characters_is_accepted(client: httpx.AsyncClient) -> None:
    answer = await deliver(client, aanlevering("K" * 40))
    assert answer["aanleverkenmerk"] == "K" * 40


def _without(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {name: value for name, value in body.items() if name != key}


def _with_inhoud(inhoud: object) -> dict[str, Any]:
    body = aanlevering()
    body["berichtInhoud"] = {**body["berichtInhoud"], "inhoud": inhoud}
    return body


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (_without(aanlevering(), "berichtsoort"), "berichtsoort"),
        (aanlevering("K" * 41), "aanleverkenmerk"),
        (aanlevering(""), "aanleverkenmerk"),
        (aanlevering(identiteitBelanghebbende={"nummer": "123"}), "identiteitBelanghebbende.type"),
        (_without(aanlevering(), "rolBelanghebbende"), "rolBelanghebbende"),
        (_with_inhoud("dit is geen base64!"), "berichtInhoud.inhoud"),
        (_with_inhoud(""), "berichtInhoud.inhoud"),
        (_with_inhoud(12), "berichtInhoud.inhoud"),
        (aanlevering(onbekendVeld=1), "onbekendVeld"),
        (["geen", "object"], "body"),
        (with_marker("999"), "999"),
    ],
    ids=[
        "missing berichtsoort",
        "aanleverkenmerk too long",
        "aanleverkenmerk empty",
        "identity without type",
        "missing rol",
        "invalid base64",
        "empty content",
        "content not a string",
        "unknown field",
        "not an object",
        "unknown trail marker",
    ],
)
async def test_a_body_that_does_not_validate_is_refused_naming_what_is_wrong(
    client: httpx.AsyncClient, body: object, named: str
) -> None:
    response = await client.post("/aanleveren", json=body)

    assert response.status_code == 400
    assert response.json()["foutcode"] == "AL-VALIDATIE"
    assert named in response.json()["foutbeschrijving"]
    assert (await received(client))["total_attempts"] == 0


async def test_a_body_that_is_not_json_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/aanleveren", content=b"{niet: json", headers={"content-type": "application/json"})

    assert response.status_code == 400
    assert response.json() == {"foutcode": "AL-VALIDATIE", "foutbeschrijving": "de body is geen geldige JSON"}


async def test_a_delivery_sent_again_names_the_earlier_aanleverkenmerk_and_it_is_recorded(
    client: httpx.AsyncClient,
) -> None:
    await deliver(client, aanlevering("AK-0001-2", eerderAanleverkenmerk="AK-0001"))
    summary = (await client.get("/_admin/received")).json()
    assert [(d["aanleverkenmerk"], d["eerder_aanleverkenmerk"]) for d in summary["deliveries"]] == [
        ("AK-0001-2", "AK-0001")
    ]
