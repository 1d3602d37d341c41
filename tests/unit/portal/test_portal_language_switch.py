"""Which language the portal answers in: the account's after login, the browser's before, and a switch in the
header (a POST with the CSRF token) that lasts the session and only ever sends back to this site."""

import re

import httpx
import pytest
from argon2 import PasswordHasher
from starsessions.stores import InMemoryStore

from accordeer.paths import REPO_ROOT
from services.portal.accounts import Account, Accounts, load_accounts
from services.portal.config import PortalSettings
from services.portal.login_throttle import MemoryLoginThrottle
from services.portal.web import Portal
from shared.topics import Topics
from tests.unit.portal.fakes import second_factors

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
async def client():
    accounts = {
        "john": Account(role="client", password_hash=FAST.hash("demo"), language="en"),
        "sanne": Account(role="client", password_hash=FAST.hash("demo")),
    }
    portal = Portal(
        lambda: None,  # no page here reads the database
        Topics(),
        Accounts(accounts, FAST),
        PortalSettings(),
        second_factors=second_factors(),
        sessions=InMemoryStore(),
        login_throttle=MemoryLoginThrottle(),
        code_throttle=MemoryLoginThrottle(kind="code"),
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=portal.app()), base_url="http://testserver"
    ) as client:
        yield client


async def page(client, path: str = "/login", **headers) -> str:
    return (await client.get(path, headers=headers)).text


def csrf(text: str) -> str:
    field = re.search(r'name="csrf" value="([^"]+)"', text)
    assert field is not None, "the page has a csrf field"
    return field.group(1)


async def test_before_login_the_browser_asks_and_dutch_is_the_default(client):
    assert '<html lang="nl">' in await page(client)
    english = await page(client, **{"Accept-Language": "en-GB,en;q=0.8"})
    assert '<html lang="en">' in english and "User name" in english


@pytest.mark.parametrize(("user", "language"), [("john", "en"), ("sanne", "nl")])
async def test_at_login_the_account_language_is_kept_in_the_session(client, user, language):
    token = csrf(await page(client, **{"Accept-Language": "en"}))
    logged_in = await client.post("/login", data={"csrf": token, "user": user, "password": "demo"})
    assert logged_in.status_code == 303 and f'<html lang="{language}">' in await page(client)


async def test_the_switch_needs_the_token_and_returns_to_the_page_it_was_made_on(client):
    token = csrf(await page(client))
    assert (await client.post("/taal", data={"csrf": "forged", "language": "en"})).status_code == 403
    switched = await client.post(
        "/taal", data={"csrf": token, "language": "en"}, headers={"Referer": "http://testserver/login?x=1"}
    )
    assert switched.status_code == 303 and switched.headers["location"] == "/login?x=1"
    wrong = await client.post("/login", data={"csrf": token, "user": "john", "password": "wrong"})
    assert "Unknown user or wrong password." in wrong.text
    elsewhere = await client.post(
        "/taal", data={"csrf": token, "language": "nl"}, headers={"Referer": "https://evil.example/"}
    )
    assert elsewhere.headers["location"] == "/" and '<html lang="nl">' in await page(client)


def test_shipped_accounts_are_dutch_unless_they_say_otherwise():
    accounts = load_accounts(REPO_ROOT / "deploy" / "config" / "portal_users.yaml")
    assert accounts["sanne.vandijk"].language == "nl" and accounts["ruud.hendriks"].language == "en"
