"""Hostile HTTP against the mocked gateway, in-process: any body, path, method or size gets a 4xx with the
gateway's own error vocabulary, never a 500 or a traceback."""

import asyncio
import json
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.digipoort_mock.app import create_app
from services.digipoort_mock.settings import DigipoortMockSettings
from tests.unit.digipoort_mock.helpers import aanlevering

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


async def _ask(method: str, path: str, **kwargs) -> httpx.Response:
    app = create_app(DigipoortMockSettings(seconds_per_step=0.01))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://digipoort.test") as client:
        return await client.request(method, path, **kwargs)


def ask(method: str, path: str, **kwargs) -> httpx.Response:
    return asyncio.run(_ask(method, path, **kwargs))


def assert_refused_cleanly(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    assert "Traceback" not in response.text


@FUZZ
@given(body=st.binary(max_size=2000))
def test_any_bytes_to_aanleveren_are_refused_with_a_fout(body):
    response = ask("POST", "/aanleveren", content=body, headers={"content-type": "application/json"})
    assert_refused_cleanly(response)
    assert response.status_code == 400 and response.json()["foutcode"] == "AL-VALIDATIE"


@FUZZ
@given(
    value=json_values,
    field=st.sampled_from(
        [
            "berichtsoort",
            "aanleverkenmerk",
            "identiteitBelanghebbende",
            "rolBelanghebbende",
            "berichtInhoud",
            "eerderAanleverkenmerk",
        ]
    ),
)
def test_any_json_in_any_field_is_judged_never_a_crash(value, field):
    response = ask("POST", "/aanleveren", json={**aanlevering(), field: value})
    assert_refused_cleanly(response)


@FUZZ
@given(value=json_values, path=st.sampled_from(["/statussen", "/_admin/faults", "/_admin/trails"]))
def test_any_json_to_the_other_bodies_is_judged_never_a_crash(value, path):
    assert_refused_cleanly(ask("PUT" if path.startswith("/_admin") else "POST", path, json=value))


@FUZZ
@given(
    kenmerk=st.text(min_size=1, max_size=200),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "PROPFIND"]),
)
def test_any_path_and_method_is_a_clean_answer(kenmerk, method):
    assert_refused_cleanly(ask(method, "/status/" + quote(kenmerk, safe="")))
    assert_refused_cleanly(ask(method, "/" + quote(kenmerk, safe="/")))


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # deeper than Python's recursion limit
        json.dumps(aanlevering(content=b"x" * 12_000_000)).encode(),  # far beyond any declaration
    ],
    ids=["deeply-nested", "oversized"],
)
def test_pathological_bodies_are_refused_not_crashed_on(body):
    response = ask("POST", "/aanleveren", content=body, headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500 and "Traceback" not in response.text
    assert response.json()["foutcode"] in ("AL-VALIDATIE", "AL-TE-GROOT")


def test_a_body_streamed_without_a_length_is_cut_off_at_the_limit():
    async def chunks():
        for _ in range(100):
            yield b"x" * 100_000

    response = ask("POST", "/aanleveren", content=chunks())
    assert response.status_code == 413 and response.json()["foutcode"] == "AL-TE-GROOT"
