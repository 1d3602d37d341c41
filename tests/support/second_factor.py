"""Staff log in to the portal with a second factor: tests pass it as a person with an authenticator app does.

At a staff user's first login the portal shows the enrolment page with the secret as text; the helper reads it,
answers with the current code and keeps the secret for that portal, so a later login answers the code page. A
code works once, so a second login within the same 30 seconds answers with the next step's code (the portal
allows one step of clock drift).
"""

import re
import time
from urllib.parse import urlsplit

import httpx
import pyotp
from playwright.async_api import Page

STEP = 30
_secrets: dict[tuple[str, str], str] = {}
_last_step: dict[tuple[str, str], int] = {}


def code_for(portal: str, user: str, secret: str | None = None) -> str:
    """A code ``user`` has not used yet on ``portal``: of this step, or of the next if this one was used."""
    key = (portal, user)
    if secret is not None:
        _secrets[key] = secret
    step = max(int(time.time() // STEP), _last_step.get(key, -1) + 1)
    _last_step[key] = step
    return pyotp.TOTP(_secrets[key]).at(step * STEP)


def _secret_in(text: str) -> str:
    return "".join(text.split())


async def pass_second_step(page: Page, portal: str, user: str) -> None:
    """After the password: enrol (first login) or give a code, and land on the tasks."""
    await page.wait_for_url(re.compile(rf"^{re.escape(portal)}/(taken|tweede-stap(/instellen)?)$"))
    path = urlsplit(page.url).path
    if path == "/taken":
        return  # a client without a second factor
    if path == "/tweede-stap/instellen":
        secret = _secret_in(await page.locator("[data-secret]").inner_text())
        await page.locator("#code").fill(code_for(portal, user, secret))
        await page.locator("form[action='/tweede-stap/instellen'] button[type=submit]").click()
        await page.locator("ul.recovery-codes").wait_for()
        await page.locator("section a[href='/taken']").click()
    else:
        await page.locator("#code").fill(code_for(portal, user))
        await page.locator("form[action='/tweede-stap'] button[type=submit]").click()
    await page.wait_for_url(f"{portal}/taken")


async def http_log_in(client: httpx.AsyncClient, user: str, password: str = "demo") -> None:
    """The same over plain HTTP (``client`` has the portal as its base_url and keeps cookies)."""
    portal = str(client.base_url).rstrip("/")
    answer = await client.post(
        "/login", data={"user": user, "password": password, "csrf": await _csrf(client, "/login")}
    )
    path = answer.headers.get("location", "")
    if path not in ("/tweede-stap/instellen", "/tweede-stap"):
        return  # a client without a second factor (or a refusal, for the caller to see)
    page = await client.get(path)
    if path == "/tweede-stap/instellen":
        found = re.search(r"data-secret>([^<]+)<", page.text)
        assert found is not None, "the enrolment page shows the secret"
        code = code_for(portal, user, _secret_in(found.group(1)))
    else:
        code = code_for(portal, user)
    done = await client.post(path, data={"code": code, "csrf": _csrf_in(page.text)})
    assert done.status_code in (200, 303), done.text[:300]


async def _csrf(client: httpx.AsyncClient, path: str) -> str:
    return _csrf_in((await client.get(path)).text)


def _csrf_in(text: str) -> str:
    field = re.search(r'name="csrf" value="([^"]+)"', text)
    assert field is not None, "the page has a csrf field"
    return field.group(1)
