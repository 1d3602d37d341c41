"""Hostile HTTP against the portal's pages, in-process (Starlette's TestClient, a database that holds nothing):
any path, method, body, code at the second step, file name in a download address, or Referer gets a clean
3xx/4xx, never a 500, a traceback, a file outside the static folder, or a redirect off the site."""

import re
from urllib.parse import quote, urlsplit

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient
from starsessions.stores import InMemoryStore

from services.portal import totp
from services.portal.accounts import Account, Accounts, load_accounts
from services.portal.config import PortalSettings
from services.portal.login_throttle import MemoryLoginThrottle
from services.portal.web import Portal
from shared.topics import Topics
from tests.unit.portal.fakes import Clock, EmptyDatabase, csrf_of, second_factors, secret_on

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CLOCK = Clock()
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "PROPFIND", "CONNECT"]


FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
"""The shipped users with the password demo, hashed cheaply: the fuzz is about the pages, not argon2's cost."""


def _cheaply_hashed(accounts: dict[str, Account]) -> dict[str, Account]:
    return {name: a.model_copy(update={"password_hash": FAST.hash("demo")}) for name, a in accounts.items()}


def _client() -> TestClient:
    options = PortalSettings()
    portal = Portal(
        EmptyDatabase,  # type: ignore[arg-type]  # a fake with the pool calls the pages make, not an asyncpg.Pool
        Topics(),
        Accounts(_cheaply_hashed(load_accounts(options.accounts_file)), FAST),
        options,
        second_factors=second_factors(CLOCK),
        sessions=InMemoryStore(),
        login_throttle=MemoryLoginThrottle(),
        code_throttle=MemoryLoginThrottle(kind="code"),
    )
    return TestClient(
        portal.app(), base_url="http://portal.test", raise_server_exceptions=False, follow_redirects=False
    )


def _csrf(client: TestClient) -> str:
    field = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert field is not None, "the login page has a csrf field"
    return field.group(1)


@pytest.fixture(scope="module")
def office() -> TestClient:
    """The office's medewerker, logged in with the password and a second factor set up on the way."""
    client = _client()
    answer = client.post("/login", data={"user": "medewerker", "password": "demo", "csrf": _csrf(client)})
    assert answer.status_code == 303 and answer.headers["location"] == "/tweede-stap/instellen"
    setup = client.get("/tweede-stap/instellen").text
    code = totp.code_at(secret_on(setup), totp.step_at(CLOCK.now))
    assert client.post("/tweede-stap/instellen", data={"code": code, "csrf": csrf_of(setup)}).status_code == 200
    assert client.get("/taken").status_code == 200
    return client


@pytest.fixture(scope="module")
def stranger() -> TestClient:
    return _client()


def assert_clean(response) -> None:
    assert response.status_code < 500, response.text[:500]
    assert "Traceback" not in response.text


@FUZZ
@given(path=st.text(max_size=120), method=st.sampled_from(METHODS))
def test_any_path_and_method_is_a_clean_answer(office, stranger, path, method):
    for client in (office, stranger):
        assert_clean(client.request(method, "/" + quote(path, safe="/.%")))


@FUZZ
@given(name=st.text(min_size=1, max_size=80), part=st.sampled_from(["document", "bijlage", "live", "actie", ""]))
@example(name="/", part="")
@example(name=".", part="")
@example(name="..", part="document")
def test_a_download_address_with_any_id_is_a_404_never_a_file(office, name, part):
    # "/taken/./live" is "/taken/live" as any client resolves it: the inbox's live stream, which by design never
    # ends (a test client reading its whole body waits for ever)
    assume(not (name == "." and part == "live"))
    response = office.get(f"/taken/{quote(name, safe='')}/{part}".rstrip("/"))
    assert_clean(response)
    assert "attachment" not in response.headers.get("content-disposition", "")
    assert response.status_code in (200, 303, 307, 404, 405)
    if response.status_code == 200:  # "/taken/." is the task list itself, as any client resolves it
        assert response.headers["content-type"].startswith("text/html")
    if response.status_code == 307:  # "/taken/%2F": the router's own slash redirect, to this site's task list
        assert urlsplit(response.headers["location"]).netloc in ("", urlsplit(str(response.request.url)).netloc)


@pytest.mark.parametrize(
    "path",
    [
        "/static/../config.py",
        "/static/..%2fconfig.py",
        "/static/%2e%2e/%2e%2e/shared/settings.py",
        "/static/....//....//config.py",
        "/static//etc/passwd",
        "/static/%2Fetc%2Fpasswd",
        "/static/..\\config.py",
        "/taken/..%2f..%2fetc%2fpasswd/document",
        "/taken/%2e%2e/document",
    ],
)
def test_path_traversal_never_reaches_a_file_outside_the_static_folder(office, path):
    response = office.get(path)
    assert response.status_code in (400, 404) and "import" not in response.text and "root:" not in response.text


@FUZZ
@given(
    referer=st.one_of(
        st.text(max_size=80),
        st.builds(
            lambda a, b: f"{a}{b}",
            st.sampled_from(
                [
                    "/",
                    "//",
                    "/\\",
                    "\\\\",
                    "/\t/",
                    "/\n/",
                    "http://evil.example/",
                    "https:evil.example",
                    "http://portal.test/",
                    "javascript:",
                    "/%0d%0aSet-Cookie:x=1",
                    " //",
                    "/\\/",
                ]
            ),
            st.text(max_size=30),
        ),
    )
)
def test_the_language_switch_goes_back_to_this_site_only(office, referer):
    response = office.post(
        "/taal", data={"language": "en", "csrf": _csrf(office)}, headers={"referer": referer.encode()}
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/") and location[1:2] not in ("/", "\\"), location
    assert not re.search(r"[\x00-\x20\x7f\\]", location), location  # browsers drop tabs and read \ as /


@settings(FUZZ, max_examples=40)
@given(
    user=st.text(max_size=300),
    password=st.text(max_size=300),
    extra=st.dictionaries(st.text(min_size=1, max_size=10), st.text(max_size=20), max_size=3),
)
def test_any_login_form_is_refused_cleanly(stranger, user, password, extra):
    response = stranger.post("/login", data={**extra, "user": user, "password": password, "csrf": _csrf(stranger)})
    assert_clean(response)
    assert response.status_code in (401, 403, 429) or (response.status_code == 303 and password == "demo")


@pytest.fixture(scope="module")
def halfway() -> TestClient:
    """The office's medewerker after the password, before the second factor."""
    client = _client()
    answer = client.post("/login", data={"user": "medewerker", "password": "demo", "csrf": _csrf(client)})
    assert answer.status_code == 303 and client.get("/taken").headers["location"] == "/login"
    return client


@settings(FUZZ, max_examples=60)
@given(
    code=st.text(max_size=60),
    page=st.sampled_from(["/tweede-stap", "/tweede-stap/herstelcode", "/tweede-stap/instellen"]),
)
def test_any_code_is_refused_cleanly_half_way_or_not(halfway, stranger, code, page):
    """Half way or not logged in at all: a refusal (throttled soon), a way back to the login, never a 500."""
    field = "recovery_code" if page.endswith("herstelcode") else "code"
    for client in (halfway, stranger):
        response = client.post(page, data={field: code, "csrf": _csrf(client)})
        assert_clean(response)
        assert response.status_code in (303, 401, 429), response.status_code


@pytest.mark.parametrize(
    "path", ["/login", "/taal", "/taken/00000000-0000-0000-0000-000000000000/actie", "/beheer/toewijzen"]
)
def test_an_oversized_body_is_refused_before_it_is_read(office, path):
    response = office.post(
        path, content=b"user=" + b"x" * 3_000_000, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413 and "Traceback" not in response.text


def test_a_streamed_body_without_a_length_is_cut_off_too(office):
    def chunks():
        for _ in range(60):
            yield b"x" * 100_000

    response = office.post("/login", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
