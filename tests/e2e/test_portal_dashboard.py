"""The operator dashboard in a real browser against the running stack: every consumer group with its status and
chart; the workflow group's lag rises while workflow is stopped and falls back to 0 after it starts again, without
anyone reloading; a dead letter counted per reason, read and replayed; a thousand counted from memory; an item at
70 sent again with a button, once; a client gets 404. Screenshots of each state go to docs/screenshots/."""

import asyncio
import contextlib
import statistics
import time

import pytest
from playwright.async_api import Error, Page

from accordeer.localstack.kafka import free_port
from shared.lag import product_groups
from shared.operations.readiness import endpoints_setting
from tests.e2e.test_dispatch_faults import approve
from tests.e2e.test_portal import SCREENSHOTS, _logged_in
from tests.e2e.test_resend import at_70
from tests.support.declarations import example

pytestmark = pytest.mark.e2e


OPS_PORTS: dict[str, int] = {}
"""The health ports of this test's services, as the portal's page asks them."""


@pytest.fixture
async def portal(system):
    OPS_PORTS.clear()
    OPS_PORTS.update({name: free_port() for name in ("intake", "workflow", "dispatch")})
    system.start("digipoort_mock")
    for name, port in OPS_PORTS.items():
        system.services.start_service(name, ACCORDEER_HTTP_PORT=str(port))
    return await system.start_portal(
        ACCORDEER_PORTAL_LAG_SAMPLE_SECONDS="1", ACCORDEER_OPS_ENDPOINTS=endpoints_setting(OPS_PORTS)
    )


async def _service_shows(page: Page, service: str, *, ready: str) -> None:
    """Wait, without reloading, until the services panel shows ``service`` ready ("ja") or not ("nee")."""
    shown = page.locator(f'ul.services li[data-service="{service}"][data-ready="{ready}"]')
    for _ in range(120):
        with contextlib.suppress(Error):  # the page was just renewing itself
            if await shown.count():
                return
        await asyncio.sleep(0.25)
    raise AssertionError(f"the operator page does not show {service} with ready={ready}")


async def _shows(
    page: Page, group: str, *, status: str, lag_above: int = -1, lag_is: int | None = None, timeout: float = 90
) -> int:
    """Wait, without reloading (the page renews itself), until the group's panel shows this; returns the lag."""
    panel = page.locator(f'[data-group="{group}"]')
    seen = None
    for _ in range(int(timeout * 4)):
        with contextlib.suppress(Error):  # the page was just renewing itself
            seen = (
                await panel.locator(".badge").inner_text(timeout=1000),
                int((await panel.locator(".lag").inner_text(timeout=1000)).split()[0]),
            )
        if seen and seen[0] == status and seen[1] > lag_above and lag_is in (None, seen[1]):
            return seen[1]
        await asyncio.sleep(0.25)
    raise AssertionError(f"{group} showed {seen}, not {status} with lag > {lag_above} / == {lag_is}")


async def _chart_height(page: Page, group: str) -> float:
    """How far above the zero line the latest point of the group's records chart is, in SVG units."""
    chart = page.locator(f'[data-group="{group}"] svg.chart').first
    zero = await chart.locator("line.axis").get_attribute("y1")
    latest = await chart.locator("circle.dot").last.get_attribute("cy")
    assert zero is not None and latest is not None, "the chart draws its zero line with y1 and each point with cy"
    return float(zero) - float(latest)


async def _counted(page: Page, row: str) -> None:
    """Wait until the first dead-letter topic's reasons show ``row`` (reason, tab, count)."""
    reasons = page.locator("table.reasons").first
    for _ in range(120):
        try:
            if await reasons.count() and row in await reasons.inner_text(timeout=1000):
                return
        except Error:  # the page was just renewing itself
            pass
        await asyncio.sleep(0.5)
    raise AssertionError(f"the dead letters do not show {row!r}")


async def test_the_workflow_groups_lag_rises_while_it_is_stopped_and_falls_after_it_restarts(
    system,
    portal,
    browser,
):
    page = await _logged_in(browser, portal, "operator")
    await page.get_by_role("link", name="Operator").click()
    await page.wait_for_url(f"{portal}/operator")
    workflow = system.topics.group("workflow")
    await _shows(page, workflow, status="OK", lag_is=0)
    for group in product_groups(system.topics):
        assert await page.locator(f'[data-group="{group}"] svg.chart').count() == 2, group
    # beside the gateway's health: the one dispatch process's breaker, closed
    await page.locator('.breakers tr[data-state="closed"]').wait_for(timeout=30_000)
    await page.screenshot(path=SCREENSHOTS / "dashboard.png", full_page=True)
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.screenshot(path=SCREENSHOTS / "dashboard-phone.png", full_page=True)
    assert await _page_width(page) <= 390
    await page.set_viewport_size({"width": 1280, "height": 900})

    system.services.processes["workflow"].stop()
    await system.submit(*(example("btw_aangifte", message_id=f"dashboard-{n}") for n in range(4)))
    await _shows(page, workflow, status="STOP", lag_above=3)
    assert await _chart_height(page, workflow) > 0
    await page.locator(f'[data-group="{workflow}"]').scroll_into_view_if_needed()
    await page.screenshot(path=SCREENSHOTS / "dashboard-lag.png", full_page=True)

    system.start("workflow")
    await _shows(page, workflow, status="OK", lag_is=0)
    assert await _chart_height(page, workflow) == 0
    await page.screenshot(path=SCREENSHOTS / "dashboard-caught-up.png", full_page=True)


async def _page_width(page: Page) -> int:
    """The page's width; the page renews itself every second, so a reading cut off by that is taken again."""
    for _ in range(20):
        try:
            width: int = await page.evaluate("document.documentElement.scrollWidth")
            return width
        except Error:  # the page was being renewed
            await asyncio.sleep(0.2)
    raise AssertionError("the operator page never stood still long enough to be measured")


async def test_dead_letters_are_counted_read_and_replayed_and_only_operators_see_them(
    system,
    portal,
    browser,
):
    await system.publish(system.topics.inbound, [("dashboard-not-json", b"this is not json")])
    page = await _logged_in(browser, portal, "operator")
    await page.goto(f"{portal}/operator")
    await _counted(page, "not_json\t1")

    await page.get_by_role("link", name="0:0").click()
    assert "this is not json" in await page.locator("pre.letter").inner_text()
    await page.screenshot(path=SCREENSHOTS / "dashboard-dead-letter.png", full_page=True)
    await page.get_by_role("button", name="Opnieuw aanbieden").click()
    await page.wait_for_url(f"{portal}/operator#dlq-title")  # the notice is in the section, where the reader is
    assert f"is opnieuw aangeboden als {system.topics.inbound}/" in await page.locator("p.notice").inner_text()
    await page.goto(f"{portal}/operator")  # a page showing a notice renews itself only after 30 s, to be read
    await _counted(page, "not_json\t2")  # intake refuses it again: the same record, dead-lettered once more
    await page.screenshot(path=SCREENSHOTS / "dashboard-dead-letters.png", full_page=True)

    client = await _logged_in(browser, portal, "sanne.vandijk")
    assert await client.get_by_role("link", name="Operator").count() == 0
    assert (await client.goto(f"{portal}/operator")).status == 404
    assert (await client.goto(f"{portal}/operator/dlq/{system.topics.inbound_dlq}/0:0")).status == 404
    forged = await page.request.post(
        f"{portal}/operator/dlq/{system.topics.inbound_dlq}/0:0/opnieuw", form={"csrf": "forged"}
    )
    assert forged.status == 403


async def test_at_a_thousand_dead_letters_the_page_counts_them_from_memory_and_reads_one_when_opened(
    system,
    portal,
    browser,
):
    topic = system.topics.dead_letters_of(system.topics.dossier_items)
    await system.publish(topic, [(f"letter-{n}", b'{"n": %d}' % n) for n in range(1000)])
    page = await _logged_in(browser, portal, "operator")
    await page.goto(f"{portal}/operator")
    heading = page.locator("h3", has_text=topic)
    for _ in range(120):
        with contextlib.suppress(Error):  # the page was just renewing itself
            if "(1000)" in await heading.inner_text(timeout=1000):
                break
        await asyncio.sleep(0.5)
    else:
        raise AssertionError(f"{topic} does not show 1000 dead letters")
    timings = []
    for _ in range(15):
        started = time.perf_counter()
        answer = await page.request.get(f"{portal}/operator")
        timings.append(time.perf_counter() - started)
        assert answer.status == 200 and "De tien nieuwste van 1000." in await answer.text()
    print(
        f"operator page at 1,000 dead letters: {statistics.median(timings) * 1000:.0f} ms median, "
        f"{min(timings) * 1000:.0f}-{max(timings) * 1000:.0f} ms over {len(timings)}"
    )

    letter = await page.request.get(f"{portal}/operator/dlq/{topic}/0:999")
    assert letter.status == 200 and "letter-999" in await letter.text()
    for missing in ("0:1000", "7:0", "nonsense", "-1"):
        assert (await page.request.get(f"{portal}/operator/dlq/{topic}/{missing}")).status == 404, missing


async def test_an_item_stopped_at_70_is_sent_again_from_the_page_once_in_the_operators_name(system, portal, browser):
    await system.gateway("PUT", "/_admin/trails", json={"default": "410"})  # the authority cannot be reached
    [item] = await approve(system, "page-resend", 1)
    await at_70(system, [item])
    page = await _logged_in(browser, portal, "operator")
    await page.goto(f"{portal}/operator")
    row = page.locator(f'table.resend tr[data-item="{item}"]')
    await row.wait_for(timeout=30_000)
    assert "410" in await row.inner_text()
    await page.set_viewport_size({"width": 390, "height": 844})
    await row.scroll_into_view_if_needed()
    await page.screenshot(path=SCREENSHOTS / "dashboard-resend-phone.png", full_page=True)
    assert await _page_width(page) <= 390
    await page.set_viewport_size({"width": 1280, "height": 900})

    await _service_shows(page, "dispatch", ready="ja")
    system.services.processes["dispatch"].stop()  # so that the second click finds the first still under way
    await _service_shows(page, "dispatch", ready="nee")  # at once, not after the breaker's heartbeat is missed
    assert "geen antwoord op" in await page.locator('ul.services li[data-service="dispatch"]').inner_text()
    await system.gateway("PUT", "/_admin/trails", json={"default": "500"})  # the cause is fixed
    csrf = await row.locator('input[name="csrf"]').get_attribute("value")
    await row.get_by_role("button", name="Opnieuw verzenden").click()
    await page.wait_for_url(f"{portal}/operator#resend-title")
    notice = await page.locator("section:has(#resend-title) p.notice").inner_text()
    assert f"Dossieritem {item} wordt opnieuw verzonden als poging 2" in notice, notice
    await page.screenshot(path=SCREENSHOTS / "dashboard-resent.png", full_page=True)

    resend = f"{portal}/operator/opnieuw-verzenden"
    second = await page.request.post(f"{resend}/{item}", form={"csrf": csrf or ""})
    assert second.status == 200
    assert "wordt al opnieuw verzonden (poging 2, gevraagd door operator" in await second.text()
    assert (await page.request.post(f"{resend}/{item}", form={"csrf": "forged"})).status == 403
    assert (await page.request.post(f"{resend}/not-an-item", form={"csrf": csrf or ""})).status == 404
    audit = await system.db.fetch("SELECT attempt, requested_by FROM dispatch.resends WHERE dossier_item_id = $1", item)
    assert [tuple(r) for r in audit] == [(2, "operator")]

    system.services.start_service("dispatch", ACCORDEER_HTTP_PORT=str(OPS_PORTS["dispatch"]))
    await system.wait_for(lambda: system.statuses_of(item)[-1:] == [80], timeout=60, what="80 after the resend")
    await page.goto(f"{portal}/operator")
    await _service_shows(page, "dispatch", ready="ja")
    assert await page.locator(f'table.resend tr[data-item="{item}"]').count() == 0
    client = await _logged_in(browser, portal, "sanne.vandijk")
    assert (
        await client.request.post(f"{portal}/operator/opnieuw-verzenden/{item}", form={"csrf": csrf or ""})
    ).status == 404
