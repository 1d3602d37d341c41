"""Inrichting in a real browser (headless Chromium) against the running stack, as the source document walks it: a
functional administrator makes a workflow based on the standard one, with the client's task for the client's
contacts and a task manager; a faulty version shows each problem next to its field and publishes nothing; the
mapping sends kvk-stukken to the new workflow and an item waiting at 20 moves on; a new reaction template is
offered on a client's task page at once; every version is listed with who and when, and an older one is published
again. Anyone else gets 404 on every set-up page. Screenshots of each page
go to docs/screenshots/."""

import asyncio

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.test_portal import DUTCH_BROWSER, SCREENSHOTS, _logged_in
from tests.support.declarations import example
from tests.support.languages import other_language_on

pytestmark = pytest.mark.e2e

ADMIN = "functioneel.beheerder"
NEW = "KvK-deponering"
SET_UP_PAGES = [
    ("GET", "/inrichting"),
    ("GET", "/inrichting/nieuw?basis=standard"),
    ("GET", "/inrichting/workflow/standard"),
    ("GET", "/inrichting/koppelingen"),
    ("GET", "/inrichting/reactiesjablonen"),
    ("POST", "/inrichting/reactiesjablonen"),
    ("POST", "/inrichting/instellingen"),
    ("GET", "/inrichting/versies"),
    ("GET", "/inrichting/versies/1"),
    ("GET", "/inrichting/uitkomst/00000000-0000-0000-0000-000000000000"),
    ("POST", "/inrichting/workflow"),
    ("POST", "/inrichting/koppelingen"),
    ("POST", "/inrichting/versies/1/publiceren"),
]


@pytest.fixture
async def portal(system):
    system.start("digipoort_mock", "intake", "workflow", "dispatch")
    address = await system.start_portal()
    await _versions(system, 1)  # the seed's version, as workflow reported it
    return address


async def _versions(system, count: int) -> None:
    for _ in range(300):
        if await system.db.fetchval("SELECT count(*) FROM portal.setup_versions") >= count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the portal never had {count} version(s)\n{system.logs()}")


async def _fits_a_phone(page: Page, screenshot: str) -> None:
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.screenshot(path=SCREENSHOTS / screenshot, full_page=True)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390, screenshot
    await page.set_viewport_size({"width": 1100, "height": 800})


async def _intake_applied(system, *, confidential: bool) -> None:
    query = "SELECT confidential FROM intake.item_types WHERE name = 'Accorderingsbericht'"
    for _ in range(300):
        if await system.db.fetchval(query) is confidential:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"intake never made the item type confidential={confidential}\n{system.logs()}")


async def _item_in_portal(system, message_id: str) -> str:
    query = "SELECT dossier_item_id FROM portal.tasks JOIN portal.items USING (dossier_item_id) WHERE message_id = $1"
    for _ in range(300):
        if item := await system.db.fetchval(query, message_id):
            return str(item)
        await asyncio.sleep(0.1)
    raise AssertionError(f"{message_id} never had a task in the portal\n{system.logs()}")


async def _status_of(system, message_id: str) -> tuple[int, str]:
    row = await system.db.fetchrow(
        "SELECT status_code, detail FROM workflow.instances WHERE message_id = $1", message_id
    )
    return (row["status_code"], row["detail"]) if row else (0, "")


async def test_an_administrator_sets_up_a_workflow_and_its_mapping_and_publishes_an_older_version_again(
    system, portal, browser: Browser
):
    page = await _logged_in(browser, portal, ADMIN)
    await page.get_by_role("link", name="Inrichting").click()
    await expect(page.locator("h1")).to_have_text("Inrichting: dossieritemtype Accorderingsbericht")
    await page.screenshot(path=SCREENSHOTS / "setup.png", full_page=True)
    await _fits_a_phone(page, "setup-phone.png")

    # Nieuw, based on the standard workflow: first with two mistakes, then right.
    await page.get_by_role("link", name="Nieuw op basis van standard").click()
    await page.get_by_label("Naam").fill(NEW)
    office = page.locator("fieldset", has_text="Beoordelen reactie van klant")
    await office.get_by_label("Genoemde gebruikers").check()
    await office.get_by_label("Gebruikers (gescheiden door komma's)").fill("@bestaat-niet")
    await page.get_by_label("Taakbeheerder").fill("@kantoor")
    await page.get_by_role("button", name="Publiceren").click()
    summary = page.locator(".error-summary")
    await expect(summary).to_contain_text("Er is niets gepubliceerd. Los eerst dit op:")
    await expect(office.locator("p.error")).to_have_text("Er is geen groep 'bestaat-niet'.")
    await expect(page.locator("#veld-taakbeheerder p.error")).to_have_text(
        "De taakbeheerder is één gebruiker, geen groep (@kantoor)."
    )
    assert await system.db.fetchval("SELECT max(id) FROM workflow.publications") == 1
    await page.screenshot(path=SCREENSHOTS / "setup-workflow-problems.png", full_page=True)
    await _fits_a_phone(page, "setup-workflow-problems-phone.png")

    await office.get_by_label("Een groep").check()
    await office.get_by_label("Groep", exact=True).select_option("jaarrekening")
    await page.get_by_label("Taakbeheerder").fill("jaarrekening-beheerder")
    client = page.locator("fieldset", has_text="Beoordelen aangifte klant")
    assert await client.get_by_label("De contactpersonen van de klant").is_checked()
    await page.get_by_role("button", name="Publiceren").dblclick()  # twice: published once
    await expect(page.locator("p.notice")).to_have_text("De workflow is succesvol gepubliceerd.")
    await _versions(system, 2)
    assert await system.db.fetchval("SELECT max(id) FROM workflow.publications") == 2
    assert NEW in await page.locator("main").inner_text()

    # The mapping: kvk-stukken taken out, so a new one waits at 20; then sent to the new workflow, and it moves on.
    await page.get_by_role("link", name="Koppelingen wijzigen").click()
    kvk_rule = page.locator("li.card", has=page.locator("input[value='kvk-stukken']"))
    await kvk_rule.get_by_label("Deze regel verwijderen").check()
    await page.get_by_role("button", name="Publiceren").click()
    await expect(page.locator("p.notice")).to_have_text("De koppelingen zijn gepubliceerd.")
    await system.submit(example("kvk_stukken", message_id="setup-kvk"))
    for _ in range(300):
        if (await _status_of(system, "setup-kvk"))[0] == 20:
            break
        await asyncio.sleep(0.1)
    assert await _status_of(system, "setup-kvk") == (20, "no route for message type kvk-stukken")

    await page.goto(f"{portal}/inrichting/koppelingen")
    new_rule = page.locator("li.card", has_text="Nieuwe regel")
    await new_rule.get_by_label("Berichttype").fill("kvk-stukken")
    await new_rule.get_by_label("Workflow").select_option(NEW)
    await page.get_by_role("button", name="Publiceren").click()
    await expect(page.locator("p.notice")).to_have_text("De koppelingen zijn gepubliceerd.")
    for _ in range(300):
        if (await _status_of(system, "setup-kvk"))[0] == 30:
            break
        await asyncio.sleep(0.1)
    assert await _status_of(system, "setup-kvk") == (30, f"workflow {NEW}, task Beoordelen aangifte klant")

    await page.goto(f"{portal}/inrichting/koppelingen?soort=kvk-stukken")
    await expect(page.locator("p.notice")).to_contain_text(f"Een kvk-stukken gaat naar workflow {NEW}")
    await page.screenshot(path=SCREENSHOTS / "setup-mapping.png", full_page=True)
    await _fits_a_phone(page, "setup-mapping-phone.png")

    # A new reaction template, first in the list, in both languages: a client's task page offers it at once.
    await page.goto(f"{portal}/inrichting")
    await page.get_by_role("link", name="Reactiesjablonen wijzigen").click()
    new_template = page.locator("li.card", has_text="Nieuw sjabloon")
    await new_template.get_by_label("Volgorde").fill("0")
    await new_template.locator("input[name$='-nl-titel']").fill("Jaarrekening klopt niet")
    await new_template.locator("textarea[name$='-nl-tekst']").fill("De jaarrekening klopt niet; belt u mij?")
    await new_template.locator("input[name$='-en-titel']").fill("Annual accounts wrong")
    await page.get_by_role("button", name="Publiceren").click()
    await expect(page.locator(".error-summary")).to_contain_text(
        "Geef in een taal zowel een titel als een tekst, of laat die taal leeg."
    )
    await page.locator("li.card", has_text="Nieuw sjabloon").locator("textarea[name$='-en-tekst']").fill("Call me?")
    await page.get_by_role("button", name="Publiceren").click()
    await expect(page.locator("p.notice")).to_have_text("De reactiesjablonen zijn gepubliceerd.")
    await page.goto(f"{portal}/inrichting/reactiesjablonen")
    await page.screenshot(path=SCREENSHOTS / "setup-templates.png", full_page=True)
    await _fits_a_phone(page, "setup-templates-phone.png")
    await system.submit(example("btw_aangifte", message_id="setup-btw"))
    declaration = await _item_in_portal(system, "setup-btw")  # her task is there before she looks
    sanne = await _logged_in(browser, portal, "sanne.vandijk")
    await sanne.goto(f"{portal}/taken/{declaration}")
    offered = await sanne.locator("#template option").all_inner_texts()
    assert offered[1] == "Jaarrekening klopt niet" and len(offered) == 6, offered

    # Confidential from now on: the next declaration is seen by its client, not by the office at large.
    await page.goto(f"{portal}/inrichting")
    await page.get_by_label("Dossieritem als vertrouwelijk markeren").check()
    await page.get_by_role("button", name="Instellingen publiceren").click()
    await expect(page.locator("p.notice")).to_have_text("De instellingen zijn gepubliceerd.")
    assert await page.get_by_label("Dossieritem als vertrouwelijk markeren").is_checked()
    await _versions(system, 6)
    await _intake_applied(system, confidential=True)
    await system.submit(example("btw_aangifte", message_id="setup-secret"))
    secret = await _item_in_portal(system, "setup-secret")
    assert await system.db.fetchval("SELECT confidential FROM portal.items WHERE message_id = 'setup-secret'")
    colleague = await _logged_in(browser, portal, "medewerker")
    hidden, shown = await colleague.goto(f"{portal}/taken/{secret}"), await sanne.goto(f"{portal}/taken/{secret}")
    assert hidden is not None and hidden.status == 404 and shown is not None and shown.status == 200

    # Every version with who and when; the first one published again.
    await page.goto(f"{portal}/inrichting/versies")
    versions = page.locator("ol.versions > li")
    await expect(versions).to_have_count(6)
    assert f"Gepubliceerd door {ADMIN}" in await versions.first.inner_text()
    assert "Gewijzigd: de instellingen." in await versions.first.inner_text()
    assert "Gewijzigd: de reactiesjablonen." in await versions.nth(1).inner_text()
    assert "Gewijzigd: de koppelingen." in await versions.nth(2).inner_text()
    assert f"Gewijzigd: workflow {NEW}." in await versions.nth(4).inner_text()
    assert "Gepubliceerd door setup" in await versions.last.inner_text()
    await page.screenshot(path=SCREENSHOTS / "setup-versions.png", full_page=True)
    await page.get_by_role("button", name="Versie 1 opnieuw publiceren").click()
    await expect(page.locator("p.notice")).to_have_text("Versie 1 is opnieuw gepubliceerd.")
    await _versions(system, 7)
    first, again = await system.db.fetch(
        "SELECT files FROM portal.setup_versions WHERE version IN (1, 7) ORDER BY version"
    )
    assert first["files"] == again["files"]
    await _intake_applied(system, confidential=False)
    await page.goto(f"{portal}/inrichting/versies/2")
    assert f"+name: {NEW}" in await page.locator("pre.diff").inner_text()
    assert await other_language_on(page, "nl") == []

    await page.get_by_role("button", name="English").click()
    await page.goto(f"{portal}/inrichting/workflow/standard")  # version 1 again: the new workflow is gone
    await expect(page.locator("h1")).to_have_text("Workflow standard")
    assert await other_language_on(page, "en") == []
    await page.screenshot(path=SCREENSHOTS / "setup-workflow-en.png", full_page=True)


async def test_every_set_up_page_is_a_404_for_anyone_but_the_functional_administrator(system, portal, browser):
    for user in ("sanne.vandijk", "medewerker", "taakmanager", "operator"):
        page = await _logged_in(browser, portal, user)
        assert "Inrichting" not in await page.locator("header").inner_text()
        for method, path in SET_UP_PAGES:
            answer = await (page.request.get if method == "GET" else page.request.post)(f"{portal}{path}")
            assert answer.status == 404, (user, method, path, answer.status)
    anonymous = await (await browser.new_context(locale=DUTCH_BROWSER)).new_page()
    await anonymous.goto(f"{portal}/inrichting")
    assert anonymous.url == f"{portal}/login"
