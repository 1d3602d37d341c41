"""Logging in with a second factor, through the pages (Starlette's TestClient, the factors kept in memory): staff
set one up at their first login and get recovery codes once; then a code after the password, accepted once; a
recovery code instead, spent; wrong codes throttled; a client logs in without one and may set one up; the session
is only made after the second factor, and its cookie is Secure off plain localhost."""

import json

import pytest
from argon2 import PasswordHasher
from starlette.testclient import TestClient
from starsessions.stores import InMemoryStore

from services.portal import sessions, totp
from services.portal.accounts import Account, Accounts
from services.portal.config import PortalSettings
from services.portal.login_throttle import MemoryLoginThrottle
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


class Site:
    """One portal and its clock; ``browser()`` is one person's browser (cookies of its own)."""

    def __init__(self, **settings: str) -> None:
        self.clock = Clock()
        self.sessions = InMemoryStore()
        self.portal = Portal(
            EmptyDatabase,  # type: ignore[arg-type]  # a fake with the pool calls the pages make
            Topics(),
            Accounts(dict(ACCOUNTS), FAST),  # its own: a test may change a password or remove a user
            PortalSettings.model_validate(settings),
            second_factors=second_factors(self.clock),
            sessions=self.sessions,
            login_throttle=MemoryLoginThrottle(),
            code_throttle=MemoryLoginThrottle(kind="code"),
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


@pytest.mark.parametrize(("second_factor", "let_in"), [(False, False), (True, True)])
def test_a_staff_session_is_only_one_after_the_second_factor(site, second_factor, let_in):
    """A session stored before the second factor was required (or made any other way without it) is not one."""
    browser = site.browser()
    mark = site.portal.accounts.password_mark("medewerker")
    session = {"user": "medewerker", "role": "office", "csrf": "t", "second_factor": second_factor, "password": mark}
    site.sessions.data["made-elsewhere"] = json.dumps(session).encode()
    browser.cookies.set("session", "made-elsewhere")
    assert logged_in(browser) is let_in


def test_each_step_in_gets_a_new_session_id_and_the_old_one_ends(site):
    browser = site.browser()
    browser.get("/login")
    anonymous = browser.cookies["session"]
    log_in(browser, "sanne")
    assert browser.cookies["session"] != anonymous and anonymous not in site.sessions.data


def test_logging_out_ends_the_session_for_every_copy_of_the_cookie(site):
    browser = site.browser()
    log_in(browser, "sanne")
    copied = browser.cookies["session"]
    page = browser.get("/beveiliging").text
    assert browser.post("/logout", data={"csrf": csrf_of(page)}).status_code == 303
    assert copied not in site.sessions.data
    thief = site.browser()
    thief.cookies.set("session", copied)
    assert logged_in(thief) is False


@pytest.mark.parametrize(
    ("settings", "secure"),
    [({}, False), ({"public_url": "https://portaal.kantoor.example"}, True), ({"host": "0.0.0.0"}, True)],
)
def test_the_session_cookie_is_secure_unless_on_plain_localhost(settings, secure):
    browser = Site(**settings).browser()
    cookie = log_in(browser, "sanne").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and ("; secure" in cookie) is secure


def test_a_login_page_left_open_past_its_session_gets_a_fresh_form_not_a_refusal(site):
    browser = site.browser()
    stale = csrf_of(browser.get("/login").text)
    site.sessions.data.clear()  # the session ended meanwhile (idle, or its rows gone)
    again = browser.post("/login", data={"user": "sanne", "password": "demo", "csrf": stale})
    assert again.status_code == 400 and "Deze pagina was verlopen" in again.text
    assert log_in(browser, "sanne").headers["location"] == "/taken"


def test_one_address_trying_many_user_names_is_throttled_and_each_refusal_counted(site):
    from prometheus_client import REGISTRY

    def refusals(reason: str) -> float:
        return (
            REGISTRY.get_sample_value("accordeer_portal_failed_logins_total", {"step": "password", "reason": reason})
            or 0.0
        )

    wrong, throttled = refusals("wrong"), refusals("throttled")
    browser = site.browser()
    answers = [log_in(browser, f"guess{n}", "raden").status_code for n in range(21)]
    assert answers == [401] * 20 + [429]
    assert (refusals("wrong") - wrong, refusals("throttled") - throttled) == (20, 1)


def test_a_changed_password_or_a_removed_user_ends_the_sessions_made_before(site):
    browser = site.browser()
    log_in(browser, "sanne")
    assert logged_in(browser)
    site.portal.accounts.accounts["sanne"] = Account(role="client", password_hash=FAST.hash("nieuw"))
    assert not logged_in(browser), "a session made with the old password"
    assert log_in(browser, "sanne", "nieuw").headers["location"] == "/taken" and logged_in(browser)
    del site.portal.accounts.accounts["sanne"]
    assert not logged_in(browser), "a session of a user who is gone"


def test_a_second_click_on_logout_finds_the_login_page_not_a_refusal(site):
    browser = site.browser()
    log_in(browser, "sanne")
    token = csrf_of(browser.get("/beveiliging").text)
    assert browser.post("/logout", data={"csrf": token}).headers["location"] == "/login"
    again = browser.post("/logout", data={"csrf": token})
    assert again.status_code == 303 and again.headers["location"] == "/login"
    assert browser.post("/logout", data={"csrf": "forged"}).headers["location"] == "/login"
    log_in(browser, "sanne")
    assert browser.post("/logout", data={"csrf": "forged"}).status_code == 403, (
        "a logged-in session is not ended by a forged form"
    )
