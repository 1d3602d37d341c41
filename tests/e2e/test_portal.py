"""The portal in a real browser (headless Chromium) against the running stack: a client logs in, sees only their
own declaration with what they approve, approves it and sees it reach 80; another client gets 404 on its address;
a rejection needs a reason and carries it; forged posts and guessed passwords are refused; a client switches to
English and acts in English. Screenshots of each page go to docs/screenshots/."""

import asyncio

import pytest
from playwright.async_api import Browser, Page, expect

from accordeer.localstack.kafka import free_port
from accordeer.paths import REPO_ROOT
from tests.support.declarations import example
from tests.support.languages import other_language_on
from tests.support.second_factor import pass_second_step

pytestmark = pytest.mark.e2e

SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
CLIENT_TASK = "Beoordelen aangifte klant"
DUTCH_BROWSER = "nl-NL"
"""Headless Chromium asks for en-US; the portal answers before login in the language asked for, and its users ask
for Dutch."""


@pytest.fixture
async def portal(system):
    system.start("digipoort_mock", "intake", "workflow", "dispatch")
    return await system.start_portal()


async def _fits_a_phone(page: Page, screenshot: str) -> None:
    """The page at 390 px wide (a phone), with nothing off the screen to the right; then back to the desktop."""
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.screenshot(path=SCREENSHOTS / screenshot, full_page=True)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390, screenshot
    await page.set_viewport_size({"width": 1100, "height": 800})


async def _logged_in(browser: Browser, portal: str, user: str) -> Page:
    page = await (await browser.new_context(viewport={"width": 1100, "height": 800}, locale=DUTCH_BROWSER)).new_page()
    await page.goto(f"{portal}/login")
    await page.get_by_label("Gebruikersnaam").fill(user)
    await page.get_by_label("Wachtwoord").fill("demo")
    await page.get_by_role("button", name="Inloggen").click()
    await pass_second_step(page, portal, user)
    return page


async def _in_portal(system, item_id: str, *, status: int | None = None, task: bool = True) -> None:
    query = (
        "SELECT count(*) FROM portal.items i LEFT JOIN portal.tasks t USING (dossier_item_id)"
        " WHERE i.dossier_item_id = $1 AND ($2::int IS NULL OR i.status_code = $2) AND (t.task IS NOT NULL) = $3"
    )
    for _ in range(600):
        if await system.db.fetchval(query, item_id, status, task):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{item_id} did not reach {status} in the portal\n{system.logs()}")


async def _submitted(system, example_name: str, message_id: str) -> str:
    """Submit a golden example; its dossier item id once the portal shows its task."""
    await system.submit(example(example_name, message_id=message_id))
    item = await _item_of(system, message_id)
    await _in_portal(system, item)
    return item


async def _held_by(system, item_id: str, user: str) -> None:
    for _ in range(300):
        if await system.db.fetchval(
            "SELECT $2 = ANY(assignees) FROM portal.tasks WHERE dossier_item_id = $1", item_id, user
        ):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the portal never showed {item_id} held by {user}\n{system.logs()}")


async def _item_of(system, message_id: str) -> str:
    await system.wait_for(
        lambda: any(e.message_id == message_id and e.status_code == 30 for e in system.events),
        what=f"{message_id} in its workflow",
    )
    return next(e.dossier_item_id for e in system.events if e.message_id == message_id and e.status_code == 30)


async def test_a_client_approves_their_own_declaration_and_sees_it_accepted(system, portal, browser):
    await system.submit(
        example("btw_aangifte", message_id="portal-sanne"), example("icp_aangifte", message_id="portal-eva")
    )
    sanne_item, eva_item = await _item_of(system, "portal-sanne"), await _item_of(system, "portal-eva")
    await _in_portal(system, sanne_item)
    await _in_portal(system, eva_item)

    page = await _logged_in(browser, portal, "sanne.vandijk")
    rows = page.locator("table.tasks tbody tr")
    assert await rows.count() == 1
    assert "Btw-aangifte januari 2025" in await rows.first.inner_text()
    assert "€ 1.523,00" in await rows.first.inner_text()
    await page.screenshot(path=SCREENSHOTS / "inbox.png", full_page=True)
    await _fits_a_phone(page, "inbox-phone.png")

    await page.get_by_role("link", name="Btw-aangifte januari 2025").click()
    summary = await page.locator("dl.summary").inner_text()
    assert all(
        part in summary
        for part in (
            "1 januari 2025 t/m 31 januari 2025",
            "€ 1.523,00 te betalen",
            "Bakkerij Van Dijk B.V.",
            "28 februari 2025",
            "BTW NL001234567B01",
        )
    )
    await page.screenshot(path=SCREENSHOTS / "task.png", full_page=True)
    await _fits_a_phone(page, "task-phone.png")

    await page.get_by_role("button", name="Goedkeuren bericht").click()
    # First the statement the client makes by approving; nothing is sent until it is confirmed.
    await expect(page.locator("h1")).to_have_text("Goedkeuren bevestigen")
    assert "€ 1.523,00 te betalen" in await page.locator("dl.summary").inner_text()
    await page.screenshot(path=SCREENSHOTS / "confirm-approval.png", full_page=True)
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.screenshot(path=SCREENSHOTS / "confirm-approval-phone.png", full_page=True)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await page.set_viewport_size({"width": 1100, "height": 800})
    confirmation = page.locator("form", has=page.locator("input[name=statement]"))
    form = {n: await confirmation.locator(f"input[name={n}]").input_value() for n in ("csrf", "action_id", "action")}
    unticked = await page.request.post(f"{portal}/taken/{sanne_item}/actie", form={**form, "confirm": "asked"})
    assert unticked.status == 400 and "Vink de verklaring aan om goed te keuren." in await unticked.text()
    await page.get_by_label("Ik verklaar dat ik deze aangifte heb gecontroleerd").check()
    await page.get_by_role("button", name="Bevestigen en goedkeuren").dblclick()  # a double click sends it once

    # The page stays on the item and shows what became of the approval, then offers the way on.
    await expect(page.locator("p.notice")).to_contain_text("'Goedkeuren bericht' is verwerkt.")
    assert f"/taken/{sanne_item}?uitkomst=" in page.url
    await expect(page.get_by_role("link", name="Terug naar Mijn taken")).to_be_visible()
    await page.screenshot(path=SCREENSHOTS / "approved-outcome.png")
    await _in_portal(system, sanne_item, status=80, task=False)
    audited = await system.db.fetch(
        "SELECT actor, statement, confirmed_at FROM workflow.audit WHERE dossier_item_id = $1 AND action = $2",
        sanne_item,
        "Goedkeuren bericht",
    )
    assert [(r["actor"], r["statement"]) for r in audited] == [
        ("sanne.vandijk", "Ik verklaar dat ik deze aangifte heb gecontroleerd en dat zij juist en volledig is.")
    ]
    assert audited[0]["confirmed_at"] is not None
    # The same form once more (Back and send): answered with the first one's outcome, nothing new sent.
    again = await page.request.post(f"{portal}/taken/{sanne_item}/actie", form={**form, "statement": "confirmed"})
    assert again.ok and f"uitkomst={form['action_id']}" in again.url, again.url
    assert "'Goedkeuren bericht' is verwerkt." in await again.text()
    sent = await system.read_topic(system.topics.portal_actions, expect=1, timeout=5)
    assert len(sent) == 1, sent
    assert await system.read_topic(system.topics.workflow_actions_dlq, expect=1, timeout=2) == []
    await page.goto(f"{portal}/taken/{sanne_item}")
    assert "Geaccepteerd door instantie" in await page.locator("p.status").inner_text()
    history = await page.locator("ol.history").inner_text()
    assert "sanne.vandijk: Goedkeuren bericht" in history
    # Status lines come from the events' fields in the reader's words, never the services' own (English) notes.
    assert "Geaccepteerd door instantie · Digipoort: 500 verwerking door uitvragende partij gelukt" in history
    assert "dossier item" not in history and "kenmerk" not in history, history
    assert await other_language_on(page, "nl") == []
    await page.screenshot(path=SCREENSHOTS / "accepted.png", full_page=True)

    eva = await _logged_in(browser, portal, "eva.jansen")
    assert "Btw-aangifte januari 2025" not in await eva.locator("main").inner_text()
    response = await eva.goto(f"{portal}/taken/{sanne_item}")
    assert response.status == 404
    await eva.screenshot(path=SCREENSHOTS / "not-found.png")
    await eva.goto(f"{portal}/afgehandeld")
    assert "Btw-aangifte januari 2025" not in await eva.locator("main").inner_text()

    # Afgehandeld: what she approved, where it ended and Digipoort's answer; searched by period, type and client.
    await page.get_by_role("link", name="Afgehandeld").click()
    decided = page.locator("ul.decided li")
    assert await decided.count() == 1
    card = await decided.first.inner_text()
    assert all(
        part in card
        for part in (
            "Btw-aangifte januari 2025",
            "Bakkerij Van Dijk B.V.",
            "Geaccepteerd door instantie",
            "500 verwerking door uitvragende partij gelukt",
            "Besloten door",
        )
    ), card
    assert await other_language_on(page, "nl") == []
    await page.screenshot(path=SCREENSHOTS / "archive.png", full_page=True)
    await page.get_by_label("Tot en met").fill("2020-12-31")
    await page.get_by_role("button", name="Zoeken").click()
    await expect(page.locator("main")).to_contain_text("Geen afgehandelde aangiften die aan de zoekvragen voldoen.")
    await page.goto(f"{portal}/afgehandeld?van=2020-01-01&soort=btw-aangifte&klant=ORG-10045&pagina=x")
    assert await decided.count() == 1
    await page.goto(f"{portal}/afgehandeld?soort=icp-aangifte")
    assert await decided.count() == 0
    await page.goto(f"{portal}/afgehandeld?soort=btw-aangifte&pagina=7")  # a page past the end, from an old link
    assert "Pagina 7 bestaat niet: bij deze zoekvragen is er 1 pagina." in await page.locator("main").inner_text()
    await page.get_by_role("link", name="Naar pagina 1").click()
    assert await decided.count() == 1 and "soort=btw-aangifte" in page.url
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto(f"{portal}/afgehandeld")
    await page.screenshot(path=SCREENSHOTS / "archive-phone.png", full_page=True)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await decided.first.get_by_role("link").click()
    assert "Geaccepteerd door instantie" in await page.locator("p.status").inner_text()

    # Back after logout shows nothing of the declaration: no page was kept in the browser's cache.
    await page.get_by_role("button", name="Uitloggen").click()
    await page.wait_for_url(f"{portal}/login")
    await page.go_back()
    await expect(page.get_by_label("Gebruikersnaam")).to_be_visible()
    shown = await page.content()
    assert "Btw-aangifte januari 2025" not in shown and "1.523,00" not in shown, page.url


async def test_a_rejection_needs_a_reason_and_carries_it_to_status_40_and_its_page_follows_it(system, browser):
    system.start("digipoort_mock", "intake", "workflow", "dispatch")
    portal = await system.start_portal(ACCORDEER_PORTAL_OUTCOME_WAIT_SECONDS="0")  # the page opens before the outcome
    item = await _submitted(system, "loonheffing", "portal-reject")
    page = await _logged_in(browser, portal, "sanne.vandijk")
    await page.goto(f"{portal}/taken/{item}")

    await page.get_by_role("button", name="Afkeuren bericht").click()
    assert "Geef bij 'Afkeuren bericht' een toelichting." in await page.locator("p.error").inner_text()
    await page.get_by_label("Toelichting").fill("Het aantal werknemers klopt niet")
    system.services.processes["workflow"].stop()  # nothing decides the action for now
    await page.get_by_role("button", name="Afkeuren bericht").click()
    await expect(page.locator("p.notice")).to_contain_text("'Afkeuren bericht' is verstuurd en wordt verwerkt")
    system.start("workflow")
    # The same page, not reloaded, shows the outcome once workflow has applied it.
    await expect(page.locator("p.notice")).to_contain_text("'Afkeuren bericht' is verwerkt.", timeout=60_000)

    await system.wait_for(lambda: 40 in system.statuses_of(item), what="40")
    rejected = next(e for e in system.events if e.dossier_item_id == item and e.status_code == 40)
    assert rejected.detail == "Afkeuren bericht by sanne.vandijk; rejected: Het aantal werknemers klopt niet"
    history = await system.db.fetchval(
        "SELECT comment FROM workflow.audit WHERE dossier_item_id = $1 AND action = 'Afkeuren bericht'", item
    )
    assert history == "Het aantal werknemers klopt niet"


async def test_forged_posts_and_guessed_passwords_are_refused(system, portal, browser):
    page = await _logged_in(browser, portal, "sanne.vandijk")
    forged = await page.request.post(f"{portal}/logout", form={"csrf": "forged"})
    assert forged.status == 403

    stranger = await (await browser.new_context(locale=DUTCH_BROWSER)).new_page()
    await stranger.goto(f"{portal}/taken")
    assert stranger.url == f"{portal}/login"
    for attempt in range(6):
        await stranger.get_by_label("Gebruikersnaam").fill("eva.jansen")
        await stranger.get_by_label("Wachtwoord").fill(f"raden-{attempt}")
        await stranger.get_by_role("button", name="Inloggen").click()
    assert "Te veel mislukte pogingen" in await stranger.locator("p.error").inner_text()
    await stranger.screenshot(path=SCREENSHOTS / "login-throttled.png")


async def test_a_session_lives_on_the_server_serves_every_portal_process_and_ends_at_logout(system, portal, browser):
    """Sessions are kept in PostgreSQL: a second portal process serves the session the first began, with no key
    shared between them; after logout a copy of the cookie, taken before, opens nothing on either; `accordeer
    sessions end` ends a person's sessions at once."""
    page = await _logged_in(browser, portal, "sanne.vandijk")
    other = await system.start_portal(instance="2", ACCORDEER_HTTP_PORT=str(free_port()))
    copied = await browser.new_context(locale=DUTCH_BROWSER)
    await copied.add_cookies(await page.context.cookies())  # a cookie is the host's, whatever the port
    thief = await copied.new_page()
    await thief.goto(f"{other}/taken")
    assert thief.url == f"{other}/taken", "the second process serves the session the first began"

    await page.get_by_role("button", name="Uitloggen").click()
    await page.wait_for_url(f"{portal}/login")
    for where in (portal, other):
        await thief.goto(f"{where}/taken")
        assert thief.url == f"{where}/login", f"a cookie copied before logout still opened {where}"
    live = "SELECT count(*) FROM portal.sessions WHERE user_name = 'sanne.vandijk' AND ended_at IS NULL"
    assert await system.db.fetchval(live) == 0

    again = await _logged_in(browser, portal, "sanne.vandijk")  # an operator ends a person's sessions at once
    ended = await system.cli("sessions", "end", "sanne.vandijk")
    assert ended.returncode == 0 and "sanne.vandijk: 1 session(s) ended" in ended.stdout, ended
    await again.goto(f"{portal}/taken")
    assert again.url == f"{portal}/login"

    phone = await (await browser.new_context(viewport={"width": 390, "height": 844}, locale=DUTCH_BROWSER)).new_page()
    await phone.goto(f"{portal}/login")  # a login page left open while its session ended
    await system.db.execute("UPDATE portal.sessions SET ended_at = now()")
    await phone.get_by_label("Gebruikersnaam").fill("sanne.vandijk")
    await phone.get_by_label("Wachtwoord").fill("demo")
    await phone.get_by_role("button", name="Inloggen").click()
    await expect(phone.locator("p.error")).to_have_text("Deze pagina was verlopen. Vul uw gegevens opnieuw in.")
    await phone.screenshot(path=SCREENSHOTS / "login-expired-phone.png")
    await phone.get_by_label("Gebruikersnaam").fill("sanne.vandijk")
    await phone.get_by_label("Wachtwoord").fill("demo")
    await phone.get_by_role("button", name="Inloggen").click()
    await phone.wait_for_url(f"{portal}/taken")


async def test_the_office_answers_a_reaction_and_the_task_manager_reassigns_and_restores(system, portal, browser):
    item = await _submitted(system, "icp_aangifte", "portal-office")

    eva = await _logged_in(browser, portal, "eva.jansen")
    await eva.goto(f"{portal}/taken/{item}")
    await eva.get_by_label("Reactiesjabloon").select_option("Graag toelichting")
    await eva.get_by_role("button", name="Reageren").click()
    await eva.wait_for_selector("p.notice")

    office = await _logged_in(browser, portal, "medewerker")
    await office.get_by_role("link", name="ICP-opgaaf Q4 2024").click()
    assert "Kunt u toelichten hoe dit bedrag is berekend?" in await office.locator("ol.history").inner_text()
    # The client's question first, and who will read the answer.
    question = office.get_by_role("region", name="Vraag van de klant")
    assert "Kunt u toelichten hoe dit bedrag is berekend?" in await question.inner_text()
    assert "eva.jansen" in await question.inner_text()
    assert (
        "Uw antwoord gaat terug naar de klant (Groothandel Jansen B.V.)" in await office.locator("#reader").inner_text()
    )
    await office.screenshot(path=SCREENSHOTS / "office-reaction.png", full_page=True)
    await _fits_a_phone(office, "office-reaction-phone.png")
    await office.get_by_label("Toelichting").fill("Het bedrag is de som van de leveringen per afnemer.")
    await office.get_by_role("button", name="Opnieuw voorleggen aan klant").click()
    await office.wait_for_selector("p.notice")

    manager = await _logged_in(browser, portal, "fiscalist")  # the Belastingdienst workflow's task manager
    await _in_portal(system, item)
    await manager.goto(f"{portal}/beheer")
    await manager.get_by_role("checkbox", name="Kies ICP-opgaaf Q4 2024").check()
    await manager.get_by_label("Gekozen taken toewijzen aan").fill("medewerker")
    await manager.get_by_role("button", name="Toewijzen").dblclick()  # a double click reassigns once
    assert "1 taak/taken toegewezen aan medewerker." in await manager.locator("p.notice").inner_text()
    await manager.screenshot(path=SCREENSHOTS / "manage.png", full_page=True)
    await _fits_a_phone(manager, "manage-phone.png")
    await system.wait_for(
        lambda: any(e.dossier_item_id == item and "assigned to medewerker" in e.detail for e in system.events),
        what="the reassignment",
    )
    await _held_by(system, item, "medewerker")  # the portal has read the task event too

    await office.goto(f"{portal}/taken/{item}")
    await office.get_by_label("Toelichting").fill("Klant is niet bereikbaar; afgekeurd in overleg")
    await office.get_by_role("button", name="Afkeuren bericht").click()
    await system.wait_for(lambda: 40 in system.statuses_of(item), what="40")
    await _in_portal(system, item, status=40, task=False)

    # Restored from the list, found by the client's name; a search for something else shows nothing.
    await manager.goto(f"{portal}/beheer?zoek=bakkerij")
    assert "Geen taken die aan de zoekvragen voldoen." in await manager.locator("main").inner_text()
    await manager.get_by_role("searchbox", name="Zoeken").fill("groothandel jansen")
    await manager.get_by_role("button", name="Zoeken").click()
    await manager.get_by_role("button", name="Herstellen: ICP-opgaaf Q4 2024").dblclick()
    assert "'ICP-opgaaf Q4 2024' wordt hersteld naar" in await manager.locator("p.notice").inner_text()
    await system.wait_for(lambda: system.statuses_of(item)[-1] == 30, what="restored to 30")
    trail = await system.db.fetch(
        "SELECT actor, action FROM workflow.audit WHERE dossier_item_id = $1 ORDER BY id", item
    )
    assert [(r["actor"], r["action"]) for r in trail][1:] == [
        ("eva.jansen", "Reageren"),
        ("medewerker", "Opnieuw voorleggen aan klant"),
        ("fiscalist", "Taak toewijzen"),
        ("medewerker", "Afkeuren bericht"),
        ("fiscalist", "Herstellen berichtstatus"),
    ]


async def test_a_client_switches_to_english_and_approves_in_english(system, portal, browser):
    await _submitted(system, "btw_aangifte", "portal-english")
    page = await _logged_in(browser, portal, "sanne.vandijk")

    await page.get_by_role("button", name="English").click()
    await page.wait_for_selector("html[lang=en]")
    assert "My tasks" in await page.locator("h1").inner_text()
    assert "€1,523.00" in await page.locator("table.tasks").inner_text()
    await page.get_by_role("link", name="Btw-aangifte januari 2025").click()
    summary = await page.locator("dl.summary").inner_text()
    assert all(
        part in summary
        for part in (
            "VAT return",
            "1 January 2025 to 31 January 2025",
            "€1,523.00 payable",
            "28 February 2025",
            "BTW NL001234567B01",
        )
    )
    assert "Your decision" in await page.locator("main").inner_text()
    assert await other_language_on(page, "en") == []
    await page.screenshot(path=SCREENSHOTS / "task-en.png", full_page=True)

    await page.get_by_role("button", name="Reject").click()
    assert "Please give a reason with 'Reject'." in await page.locator("p.error").inner_text()
    await page.get_by_role("button", name="Approve", exact=True).click()
    await expect(page.locator("h1")).to_have_text("Confirm approval")
    await page.get_by_role("button", name="Confirm and approve").click()  # the browser asks for the tick first
    assert await page.locator("h1").inner_text() == "Confirm approval"
    await page.get_by_label("I declare that I have checked this declaration").check()
    await page.screenshot(path=SCREENSHOTS / "confirm-approval-en.png", full_page=True)
    await page.get_by_role("button", name="Confirm and approve").click()
    await expect(page.locator("p.notice")).to_contain_text("'Approve' is done.")


async def test_an_open_task_page_follows_its_item_without_a_reload(system, portal, browser):
    item = await _submitted(system, "btw_suppletieaangifte", "portal-live")
    page = await _logged_in(browser, portal, "sanne.vandijk")
    await page.goto(f"{portal}/taken/{item}")
    inbox = await _logged_in(browser, portal, "sanne.vandijk")
    assert await inbox.locator("table.tasks tbody tr").count() == 1

    # Someone else (here: the same client from another device) approves; this page is not reloaded.
    await system.act(item, CLIENT_TASK, "Goedkeuren bericht", "sanne.vandijk", comment="akkoord")
    # Waited for by locators, not by evaluated strings: the pages' CSP refuses eval, in tests as for people.
    await page.locator("p.status", has_text="Geaccepteerd door instantie").wait_for(timeout=60_000)
    assert "sanne.vandijk: Goedkeuren bericht" in await page.locator("ol.history").inner_text()
    assert await page.locator("button", has_text="Goedkeuren bericht").count() == 0
    await inbox.locator("table.tasks").wait_for(state="detached", timeout=30_000)
    await page.screenshot(path=SCREENSHOTS / "live-accepted.png", full_page=True)
