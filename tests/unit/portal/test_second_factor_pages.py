"""Logging in with a second factor, through the pages (Starlette's TestClient, the factors kept in memory): staff
set one up at their first login and get recovery codes once; then a code after the password, accepted once; a
recovery code instead, spent; wrong codes throttled; a client logs in without one and may set one up; the session
is only made after the second factor, and its cookie is Secure off plain localhost."""

import json
from base64 import b64encode

import pytest
from argon2 import PasswordHasher
from itsdangerous import TimestampSigner
from starlette.testclient import TestClient

from services.portal import sessions, totp
from services.portal.accounts import Account, Accounts
from services.portal.config import PortalSettings
from services.portal.web import Portal
from shared.topics import Topics
from tests.unit.portal.fakes import (
    Clock,
    EmptyDatabase,
    csrf_of,
    recovery_codes_on,
    second_factors,
    secret_on,
    wrong_code,
)

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
ACCOUNTS = {
    "medewerker": Account(role="office", password_hash=FAST.hash("demo")),
    "operator": Account(role="operator", password_hash=FAST.hash("demo"), language="en"),
    "sanne": Account(role="client", password_hash=FAST.hash("demo")),
}
SESSION_SECRET = "a session key for these tests"


class Site:
    """One portal and its clock; ``browser()`` is one person's browser (cookies of its own)."""

    def __init__(self, **settings: str) -> None:
        self.clock = Clock()
        self.portal = Portal(
            EmptyDatabase,  # type: ignore[arg-type]  # a fake with the pool calls the pages make
            Topics(),
            Accounts(ACCOUNTS, FAST),
            PortalSettings.model_validate({"session_secret": SESSION_SECRET, **settings}),
            second_factors=second_factors(self.clock),
        )
        self.app = self.portal.app()

    def browser(self) -> TestClient:
        return TestClient(self.app, follow_redirects=False)

    def code(self, secret: str, steps_on: int = 0) -> str:
        return totp.code_at(secret, totp.step_at(self.clock.now) + steps_on)

    def wrong(self, secret: str) -> str:
        return wrong_code(secret, self.clock.now)


@pytest.fixture
def site() -> Site:
    return Site()


def log_in(browser: TestClient, user: str, password: str = "demo"):
    csrf = csrf_of(browser.get("/login").text)
    return browser.post("/login", data={"user": user, "password": password, "csrf": csrf})


def post(browser: TestClient, path: str, **fields: str):
    return browser.post(path, data={**fields, "csrf": csrf_of(browser.get("/login").text)})


def set_up(site: Site, browser: TestClient, user: str = "medewerker") -> tuple[str, list[str]]:
    """Log in and set up the second factor: the secret and the recovery codes shown."""
    assert log_in(browser, user).headers["location"] == "/tweede-stap/instellen"
    secret = secret_on(browser.get("/tweede-stap/instellen").text)
    shown = post(browser, "/tweede-stap/instellen", code=site.code(secret))
    assert shown.status_code == 200, shown.text
    return secret, recovery_codes_on(shown.text)


def logged_in(browser: TestClient) -> bool:
    return browser.get("/taken").status_code == 200


def test_staff_set_up_a_second_factor_at_their_first_login_and_see_the_recovery_codes_once(site):
    browser = site.browser()
    assert log_in(browser, "medewerker").headers["location"] == "/tweede-stap/instellen"
    assert not logged_in(browser) and browser.get("/taken").headers["location"] == "/login"

    page = browser.get("/tweede-stap/instellen")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "Tweestapsverificatie instellen" in page.text and '<svg role="img"' in page.text
    assert "Als medewerker logt u in" in page.text
    secret = secret_on(page.text)
    assert len(secret) == 32 and secret_on(browser.get("/tweede-stap/instellen").text) == secret  # a reload keeps it

    wrong = post(browser, "/tweede-stap/instellen", code=site.wrong(secret))
    assert wrong.status_code == 401 and "Deze code klopt niet." in wrong.text and secret_on(wrong.text) == secret
    assert not logged_in(browser)

    shown = post(browser, "/tweede-stap/instellen", code=site.code(secret))
    codes = recovery_codes_on(shown.text)
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    assert "Bewaar uw herstelcodes" in shown.text and len(set(codes)) == 10
    assert logged_in(browser)
    assert browser.get("/tweede-stap/instellen").headers["location"] == "/beveiliging"
    security = browser.get("/beveiliging").text
    assert "Staat aan sinds" in security and "Herstelcodes over: 10" in security
    assert not any(code in security for code in codes)


def test_an_enrolled_user_logs_in_with_a_code_which_works_once(site):
    browser = site.browser()
    secret, _ = set_up(site, browser)
    post(browser, "/logout")

    assert log_in(browser, "medewerker").headers["location"] == "/tweede-stap"
    assert not logged_in(browser)
    code_page = browser.get("/tweede-stap")
    assert "Vul de code uit uw app in" in code_page.text and "/tweede-stap/herstelcode" in code_page.text
    replayed = post(browser, "/tweede-stap", code=site.code(secret))  # the code that confirmed the setup
    assert replayed.status_code == 401 and "al gebruikt" in replayed.text and not logged_in(browser)

    site.clock.now += 30
    code = site.code(secret)
    accepted = post(browser, "/tweede-stap", code=code)
    assert accepted.status_code == 303 and accepted.headers["location"] == "/taken" and logged_in(browser)

    post(browser, "/logout")
    log_in(browser, "medewerker")
    assert post(browser, "/tweede-stap", code=code).status_code == 401 and not logged_in(browser)
    assert post(browser, "/tweede-stap", code=site.code(secret, steps_on=1)).status_code == 303  # ±1 step
    assert logged_in(browser)


def test_a_recovery_code_logs_in_once_and_is_spent(site):
    browser = site.browser()
    _, codes = set_up(site, browser)
    post(browser, "/logout")

    log_in(browser, "medewerker")
    assert "Inloggen met een herstelcode" in browser.get("/tweede-stap/herstelcode").text
    used = post(browser, "/tweede-stap/herstelcode", recovery_code=codes[3].upper().replace("-", " "))
    assert used.status_code == 303 and used.headers["location"] == "/beveiliging"
    security = browser.get("/beveiliging").text
    assert "U bent ingelogd met een herstelcode; die werkt nu niet meer." in security
    assert "Herstelcodes over: 9" in security

    post(browser, "/logout")
    log_in(browser, "medewerker")
    spent = post(browser, "/tweede-stap/herstelcode", recovery_code=codes[3])
    assert spent.status_code == 401 and "Deze herstelcode klopt niet of is al gebruikt." in spent.text
    assert not logged_in(browser)


def test_wrong_codes_are_throttled_and_a_right_password_does_not_forgive_them(site):
    browser = site.browser()
    secret, codes = set_up(site, browser)
    post(browser, "/logout")
    site.clock.now += 30

    log_in(browser, "medewerker")
    for _ in range(3):
        assert post(browser, "/tweede-stap", code=site.wrong(secret)).status_code == 401
    for _ in range(2):
        assert post(browser, "/tweede-stap/herstelcode", recovery_code="geen-code").status_code == 401
    throttled = post(browser, "/tweede-stap", code=site.code(secret))
    assert throttled.status_code == 429 and "Te veel mislukte pogingen" in throttled.text

    other = site.browser()  # another browser (in the portal's eyes: the same address), the right password again
    assert log_in(other, "medewerker").headers["location"] == "/tweede-stap"
    assert post(other, "/tweede-stap", code=site.code(secret)).status_code == 429
    assert post(other, "/tweede-stap/herstelcode", recovery_code=codes[0]).status_code == 429
    assert not logged_in(other) and not logged_in(browser)
    assert log_in(site.browser(), "operator").headers["location"] == "/tweede-stap/instellen"  # others unaffected


def test_half_way_lasts_ten_minutes(site, monkeypatch):
    browser = site.browser()
    secret, _ = set_up(site, browser)
    post(browser, "/logout")
    log_in(browser, "medewerker")
    monkeypatch.setattr(sessions, "HALFWAY_SECONDS", 0.0)
    site.clock.now += 30
    assert browser.get("/tweede-stap").headers["location"] == "/login"
    assert post(browser, "/tweede-stap", code=site.code(secret)).headers["location"] == "/login"
    assert not logged_in(browser)


def test_each_session_setting_up_gets_a_secret_of_its_own(site):
    """Someone who had the password and opened the setup page first has not seen the secret the user confirms."""
    intruder, user = site.browser(), site.browser()
    log_in(intruder, "medewerker")
    seen = secret_on(intruder.get("/tweede-stap/instellen").text)
    secret, _ = set_up(site, user)
    assert seen != secret
    assert post(intruder, "/tweede-stap/instellen", code=site.code(seen)).headers["location"] == "/tweede-stap"
    site.clock.now += 30
    assert post(intruder, "/tweede-stap", code=site.code(seen)).status_code == 401 and not logged_in(intruder)


def test_a_client_logs_in_with_the_password_and_may_set_up_a_second_factor(site):
    browser = site.browser()
    assert log_in(browser, "sanne").headers["location"] == "/taken" and logged_in(browser)
    security = browser.get("/beveiliging").text
    assert "Staat uit." in security and 'href="/tweede-stap/instellen"' in security
    page = browser.get("/tweede-stap/instellen").text
    assert "Wie uw wachtwoord weet, komt dan nog niet in uw account." in page
    secret = secret_on(page)
    assert recovery_codes_on(post(browser, "/tweede-stap/instellen", code=site.code(secret)).text)
    assert logged_in(browser)

    post(browser, "/logout")
    assert log_in(browser, "sanne").headers["location"] == "/tweede-stap" and not logged_in(browser)
    site.clock.now += 30
    assert post(browser, "/tweede-stap", code=site.code(secret)).headers["location"] == "/taken"
    assert "Neem contact op met uw accountantskantoor." in browser.get("/beveiliging").text


def test_the_pages_speak_the_accounts_language_half_way(site):
    browser = site.browser()
    log_in(browser, "operator")
    page = browser.get("/tweede-stap/instellen").text
    assert '<html lang="en">' in page and "Set up two-step verification" in page


def test_the_forms_need_the_token(site):
    browser = site.browser()
    log_in(browser, "medewerker")
    for path in ("/tweede-stap", "/tweede-stap/herstelcode", "/tweede-stap/instellen"):
        assert browser.post(path, data={"code": "123456", "csrf": "forged"}).status_code == 403


def _cookie(session: dict) -> str:
    return TimestampSigner(SESSION_SECRET).sign(b64encode(json.dumps(session).encode())).decode()


@pytest.mark.parametrize(("second_factor", "let_in"), [(False, False), (True, True)])
def test_a_staff_session_is_only_one_after_the_second_factor(site, second_factor, let_in):
    """A session signed before the second factor was required (or made any other way without it) is not one."""
    browser = site.browser()
    session = {"user": "medewerker", "role": "office", "csrf": "t", "second_factor": second_factor}
    browser.cookies.set("session", _cookie(session))
    assert logged_in(browser) is let_in


@pytest.mark.parametrize(
    ("settings", "secure"),
    [({}, False), ({"public_url": "https://portaal.kantoor.example"}, True), ({"host": "0.0.0.0"}, True)],
)
def test_the_session_cookie_is_secure_unless_on_plain_localhost(settings, secure):
    browser = Site(**settings).browser()
    cookie = log_in(browser, "sanne").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and ("; secure" in cookie) is secure
