"""Staff log in with a second factor, in a real browser (headless Chromium) against the running portal: set up at
the first login (QR code and the secret as text, a wrong code refused, ten recovery codes shown once), a code at
every login after (a code used once is refused), a recovery code instead of the app, and the same pages at phone
width. A client logs in with the password alone. Screenshots go to docs/screenshots/."""

import pyotp
import pytest
from playwright.async_api import Browser, Page, ViewportSize

from tests.e2e.test_portal import DUTCH_BROWSER, SCREENSHOTS
from tests.support.second_factor import code_for

pytestmark = pytest.mark.e2e

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1100, "height": 800}


@pytest.fixture
async def portal(system):
    return await system.start_portal()


async def _password(browser: Browser, portal: str, user: str, viewport: ViewportSize = DESKTOP) -> Page:
    context = await browser.new_context(viewport=viewport, locale=DUTCH_BROWSER)
    page = await context.new_page()
    await _give_password(page, portal, user)
    return page


async def _give_password(page: Page, portal: str, user: str) -> None:
    await page.goto(f"{portal}/login")
    await page.get_by_label("Gebruikersnaam").fill(user)
    await page.get_by_label("Wachtwoord").fill("demo")
    await page.get_by_role("button", name="Inloggen").click()


async def _log_out(page: Page) -> None:
    await page.get_by_role("button", name="Uitloggen").click()
    await page.wait_for_url("**/login")


def _wrong(code: str) -> str:
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


async def test_staff_set_up_a_second_factor_then_need_a_code_or_a_recovery_code(browser, portal):
    page = await _password(browser, portal, "medewerker")
    await page.wait_for_url(f"{portal}/tweede-stap/instellen")
    await page.get_by_role("heading", name="Tweestapsverificatie instellen").wait_for()
    assert await page.get_by_role("img", name="QR-code voor uw authenticator-app").is_visible()
    secret = "".join((await page.locator("[data-secret]").inner_text()).split())
    await page.screenshot(path=SCREENSHOTS / "second-factor-setup.png", full_page=True)
    assert await page.goto(f"{portal}/taken") and page.url == f"{portal}/login"  # half way is not logged in
    await _give_password(page, portal, "medewerker")
    await page.wait_for_url(f"{portal}/tweede-stap/instellen")
    assert "".join((await page.locator("[data-secret]").inner_text()).split()) != secret  # a new session, a new one
    secret = "".join((await page.locator("[data-secret]").inner_text()).split())

    await page.get_by_label("Code uit de app").fill(_wrong(pyotp.TOTP(secret).now()))
    await page.get_by_role("button", name="Bevestigen").click()
    assert "Deze code klopt niet" in await page.get_by_role("alert").inner_text()
    enrolment_code = code_for(portal, "medewerker", secret)
    await page.get_by_label("Code uit de app").fill(enrolment_code)
    await page.get_by_role("button", name="Bevestigen").click()
    codes = await page.locator("ul.recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10
    await page.screenshot(path=SCREENSHOTS / "second-factor-recovery-codes.png", full_page=True)
    await page.get_by_role("link", name="Ik heb de codes bewaard, verder naar mijn taken").click()
    await page.wait_for_url(f"{portal}/taken")

    await _log_out(page)
    await _give_password(page, portal, "medewerker")
    await page.wait_for_url(f"{portal}/tweede-stap")
    await page.screenshot(path=SCREENSHOTS / "second-factor-code.png", full_page=True)
    # The enrolment's own code, not the clock's current one: a new 30-s step may have begun since (it did in CI).
    await page.get_by_label("Code", exact=True).fill(enrolment_code)
    await page.get_by_role("button", name="Doorgaan").click()
    assert "al gebruikt" in await page.get_by_role("alert").inner_text()
    await page.get_by_label("Code", exact=True).fill(code_for(portal, "medewerker"))
    await page.get_by_role("button", name="Doorgaan").click()
    await page.wait_for_url(f"{portal}/taken")

    await _log_out(page)
    await _give_password(page, portal, "medewerker")
    await page.get_by_role("link", name="Geen toegang tot uw app? Log in met een herstelcode").click()
    await page.get_by_label("Herstelcode").fill(codes[3].upper())  # as typed from paper
    await page.get_by_role("button", name="Doorgaan").click()
    await page.wait_for_url(f"{portal}/beveiliging")
    assert "herstelcode" in await page.get_by_role("status").first.inner_text()
    await _log_out(page)
    await _give_password(page, portal, "medewerker")
    await page.get_by_role("link", name="Geen toegang tot uw app? Log in met een herstelcode").click()
    await page.get_by_label("Herstelcode").fill(codes[3])
    await page.get_by_role("button", name="Doorgaan").click()
    assert "al gebruikt" in await page.get_by_role("alert").inner_text()


async def test_the_second_factor_pages_fit_a_phone_and_a_client_needs_none(browser, portal):
    page = await _password(browser, portal, "fiscalist", viewport=PHONE)
    await page.wait_for_url(f"{portal}/tweede-stap/instellen")
    qr = await page.get_by_role("img", name="QR-code voor uw authenticator-app").bounding_box()
    assert qr is not None and qr["x"] >= 0 and qr["x"] + qr["width"] <= PHONE["width"]
    code = page.get_by_label("Code uit de app")
    box = await code.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing off-screen
    await page.screenshot(path=SCREENSHOTS / "second-factor-setup-phone.png", full_page=True)

    client = await _password(browser, portal, "sanne.vandijk")
    await client.wait_for_url(f"{portal}/taken")
