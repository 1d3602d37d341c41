"""The status API over HTTP, on an in-memory read model: a source's statuses of one message and what is new since
its cursor, only ever its own; the same 404 for another source's message as for none; 401, 429 and every other
error as problem details; the message types its service user may submit."""

import re
from datetime import timedelta

import httpx
import pytest

from accordeer.paths import REPO_ROOT
from services.status_api.access import Gate
from services.status_api.api import Serving, openapi_document, status_api
from services.status_api.rights import read_authorisations
from services.status_api.use_cases import StatusQueries, StatusReadModel
from shared.contracts.inbound import KNOWN_MESSAGE_TYPES
from shared.contracts.status import StatusCode

from .fakes import T0, TOPICS, InMemoryStatusApi, record, refusal, status

SHIPPED = read_authorisations(REPO_ROOT / "deploy" / "config" / "authorisations.yaml")
MESSAGE = "afas-2025-000123"
TRAIL = (10, 20, 30, 50, 60, 80)
PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance"}


class Api:
    """The API on its own in-memory tables, with a key for afas-fin and one for nmbrs."""

    def __init__(self, rate: str = "1000/second"):
        self.tables = InMemoryStatusApi()
        self.keys = {source: self.tables.issue_key(source) for source in ("afas-fin", "nmbrs")}
        self.app = status_api(Serving(StatusQueries(self.tables, lambda: SHIPPED), Gate(self.tables, rate)))
        self.read_model = StatusReadModel(self.tables.units_of_work(), TOPICS, "accordeer-status_api")

    async def publish(self, *events) -> None:
        await self.read_model.apply([record(e) for e in events])

    async def get(self, path: str, source: str | None = "afas-fin", **options) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.keys[source]}"} if source else {}
        transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://status-api") as client:
            return await client.get(path, headers=headers | options.pop("headers", {}), **options)


@pytest.fixture
async def api() -> Api:
    api = Api()
    await api.publish(*(status(StatusCode(code), MESSAGE, minutes=n) for n, code in enumerate(TRAIL)), refusal())
    await api.publish(*(status(StatusCode(code), "nmbrs-001", "nmbrs", minutes=n) for n, code in enumerate([10, 20])))
    return api


def codes(response: httpx.Response) -> list[int]:
    return [s["status_code"] for s in response.json()["statuses"]]


def assert_problem(response: httpx.Response, status: int, path: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) == PROBLEM_FIELDS and body["status"] == status and body["instance"] == path
    assert body["title"] and body["detail"] and body["type"]
    return body


async def test_the_statuses_of_a_message_oldest_first_with_a_refusal_under_its_id(api):
    response = await api.get(f"/v1/messages/{MESSAGE}/statuses")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["message_id"] == MESSAGE and codes(response) == [*TRAIL, 0]
    assert [s["kind"] for s in body["statuses"]] == ["status"] * 6 + ["refused"]
    assert [s["cursor"] for s in body["statuses"]] == ["1", "2", "3", "4", "5", "6", "7"]
    accepted, refused = body["statuses"][5], body["statuses"][6]
    assert accepted["status"] == "Accepted by authority" and accepted["dossier_item_id"] == "item-1"
    assert accepted["occurred_at"] == "2025-02-03T09:05:00Z"
    assert refused["reason_code"] == "message_id_reused" and refused["detail"].startswith("message_id:")


async def test_from_and_to_keep_the_statuses_that_occurred_in_between(api):
    path = f"/v1/messages/{MESSAGE}/statuses"
    since, until = (T0 + timedelta(minutes=m) for m in (1, 3))
    window = await api.get(path, params={"from": since.isoformat(), "to": until.isoformat()})
    assert codes(window) == [20, 30]
    assert codes(await api.get(path, params={"from": "2025-02-03T09:04:00Z"})) == [60, 80, 0]
    assert codes(await api.get(path, params={"to": "2025-02-03T09:01:00+00:00"})) == [10]
    assert codes(await api.get(path, params={"from": "2030-01-01T00:00:00Z"})) == []  # known, nothing then


async def test_a_window_that_is_no_window_and_a_time_without_a_zone_are_refused(api):
    path = f"/v1/messages/{MESSAGE}/statuses"
    backwards = await api.get(path, params={"from": "2025-02-03T10:00:00Z", "to": "2025-02-03T09:00:00Z"})
    assert "from: must be before to" in assert_problem(backwards, 422, path)["detail"]
    naive = await api.get(path, params={"from": "2025-02-03T10:00:00"})
    assert "from" in assert_problem(naive, 422, path)["detail"]


async def test_a_message_id_with_a_slash_is_found(api):
    await api.publish(status(StatusCode.REGISTERED, "2025/03/001"))
    response = await api.get("/v1/messages/2025%2F03%2F001/statuses")
    assert response.json()["message_id"] == "2025/03/001" and codes(response) == [10]


async def test_another_sources_message_answers_exactly_as_a_message_nobody_has():
    path = f"/v1/messages/{MESSAGE}/statuses"
    empty = Api()
    nobodys = await empty.get(path, source="nmbrs")
    with_afas = Api()
    await with_afas.publish(status(StatusCode.REGISTERED, MESSAGE), refusal())
    afas_fins = await with_afas.get(path, source="nmbrs")
    assert_problem(afas_fins, 404, path)
    assert (afas_fins.status_code, afas_fins.headers.multi_items(), afas_fins.content) == (
        nobodys.status_code,
        nobodys.headers.multi_items(),
        nobodys.content,
    )
    assert b"afas" not in afas_fins.content.replace(MESSAGE.encode(), b"")
    assert (await with_afas.get(path, source="afas-fin")).status_code == 200


async def test_no_key_or_a_wrong_one_is_401_with_a_bearer_challenge(api):
    path = "/v1/statuses"
    missing = await api.get(path, source=None)
    assert "accordeer status-api key" in assert_problem(missing, 401, path)["detail"]
    assert missing.headers["www-authenticate"] == "Bearer"
    forged = api.keys["afas-fin"][:-4] + "AAAA"
    for key in (forged, "exact." + "A" * 43, "no-source-at-all", api.keys["nmbrs"] + "x"):
        wrong = await api.get(path, source=None, headers={"Authorization": f"Bearer {key}"})
        assert_problem(wrong, 401, path)
        assert wrong.headers["www-authenticate"].startswith("Bearer")
    basic = await api.get(path, source=None, headers={"Authorization": "Basic YWZhczpmaW4="})
    assert_problem(basic, 401, path)


async def test_a_replaced_key_stops_working_at_once(api):
    old = api.keys["afas-fin"]
    api.keys["afas-fin"] = api.tables.issue_key("afas-fin")
    assert (await api.get("/v1/statuses")).status_code == 200
    replaced = await api.get("/v1/statuses", source=None, headers={"Authorization": f"Bearer {old}"})
    assert replaced.status_code == 401


async def test_beyond_its_rate_a_source_gets_429_with_retry_after_and_others_go_on():
    api = Api(rate="3/minute")
    assert [(await api.get("/v1/statuses")).status_code for _ in range(3)] == [200, 200, 200]
    refused = await api.get("/v1/statuses")
    assert "3 requests per minute" in assert_problem(refused, 429, "/v1/statuses")["detail"]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert (await api.get("/v1/statuses", source="nmbrs")).status_code == 200


async def test_a_page_of_new_statuses_and_the_cursor_to_ask_with_next(api):
    first = await api.get("/v1/statuses", params={"limit": 4})
    assert codes(first) == [10, 20, 30, 50] and first.json()["next"] == "4"
    assert {s["message_id"] for s in first.json()["statuses"]} == {MESSAGE}  # never nmbrs's
    rest = await api.get("/v1/statuses", params={"after": "4", "limit": 4})
    assert codes(rest) == [60, 80, 0] and rest.json()["next"] == "7"
    caught_up = await api.get("/v1/statuses", params={"after": "7"})
    assert caught_up.json() == {"statuses": [], "next": "7"}
    again = await api.get("/v1/statuses", params={"after": "4", "limit": 4})  # a client that lost its place
    assert again.json() == rest.json()
    mine = await api.get("/v1/statuses", source="nmbrs")
    assert codes(mine) == [10, 20] and mine.json()["next"] == "2"


async def test_what_comes_later_follows_the_cursor_kept(api):
    kept = (await api.get("/v1/statuses")).json()["next"]
    await api.publish(status(StatusCode.REGISTERED, "afas-2025-000124", minutes=10))
    later = await api.get("/v1/statuses", params={"after": kept})
    assert [s["message_id"] for s in later.json()["statuses"]] == ["afas-2025-000124"]
    assert later.json()["next"] == "8"


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"after": "abc"}, "after: not a cursor"),
        ({"after": "-1"}, "after: not a cursor"),
        ({"after": "99999999999999999999"}, "after: not a cursor"),
        ({"limit": "0"}, "query.limit"),
        ({"limit": "501"}, "query.limit"),
        ({"limit": "ten"}, "query.limit"),
    ],
)
async def test_a_cursor_or_limit_the_api_cannot_take_is_a_422_problem(api, params, said):
    assert said in assert_problem(await api.get("/v1/statuses", params=params), 422, "/v1/statuses")["detail"]


async def test_the_message_types_of_the_sources_service_user():
    api = Api()
    nmbrs = (await api.get("/v1/message-types", source="nmbrs")).json()
    assert nmbrs == {
        "source": "nmbrs",
        "service_user": "svc-nmbrs",
        "all_message_types": False,
        "message_types": ["loonheffing"],
    }
    afas = (await api.get("/v1/message-types")).json()
    assert afas["all_message_types"] is True and set(KNOWN_MESSAGE_TYPES) <= set(afas["message_types"])


async def test_every_other_error_is_a_problem_too_and_shows_no_internals(api):
    assert_problem(await api.get("/v1/nothing-here"), 404, "/v1/nothing-here")
    transport = httpx.ASGITransport(app=api.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://status-api") as client:
        assert_problem(await client.post("/v1/statuses"), 405, "/v1/statuses")

    async def broken(*_args) -> list:
        raise RuntimeError("password=hunter2 at line 42")

    api.tables.after = broken
    failed = await api.get("/v1/statuses")
    body = assert_problem(failed, 500, "/v1/statuses")
    assert not re.search(r"hunter2|Traceback|RuntimeError|line 42", failed.text), body


async def test_the_api_serves_its_openapi_document_without_a_key(api):
    served = await api.get("/v1/openapi.json", source=None)
    assert served.status_code == 200 and served.json() == openapi_document()
