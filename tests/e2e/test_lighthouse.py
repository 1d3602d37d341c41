"""Lighthouse at mobile settings on the portal's login, inbox, task and operator pages, each as the person who sees
it: accessibility 100 and no console error on every one (tools/lighthouse/audit.mjs, one Chromium for all).
`make test` installs Lighthouse into the tools cache (~/.cache/accordeer/lighthouse); without it (or without
Node.js) this test fails, it does not skip."""

import asyncio
import json
import os
import shutil
from pathlib import Path

import pytest
from playwright.async_api import Page

from accordeer.paths import TOOLS_CACHE
from tests.e2e.test_portal import _logged_in, _submitted

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[2]
AUDIT = ROOT / "tools" / "lighthouse" / "audit.mjs"
LIGHTHOUSE = Path(os.environ.get("ACCORDEER_LIGHTHOUSE_DIR", TOOLS_CACHE / "lighthouse"))


async def _cookie(page: Page) -> str:
    return "; ".join(f"{c['name']}={c['value']}" for c in await page.context.cookies())


async def test_every_audited_page_scores_100_for_accessibility_on_a_phone_without_console_errors(
    system, browser, tmp_path
):
    node = shutil.which("node")
    assert node, "Lighthouse needs Node.js: `make test` installs it (apt-get install nodejs)"
    assert (LIGHTHOUSE / "node_modules" / "lighthouse").is_dir(), f"no Lighthouse in {LIGHTHOUSE}: run `make test`"
    system.start("intake", "workflow")
    # the operator page renews itself by its Refresh header; not while it is audited
    portal = await system.start_portal(ACCORDEER_PORTAL_LAG_SAMPLE_SECONDS="60")
    item = await _submitted(system, "btw_aangifte", "lighthouse-1")
    client = await _logged_in(browser, portal, "sanne.vandijk")
    operator = await _logged_in(browser, portal, "operator")
    pages = [
        {"url": f"{portal}/login", "cookie": None},
        {"url": f"{portal}/taken", "cookie": await _cookie(client)},
        {"url": f"{portal}/taken/{item}", "cookie": await _cookie(client)},
        {"url": f"{portal}/operator", "cookie": await _cookie(operator)},
    ]
    (tmp_path / "pages.json").write_text(json.dumps(pages))

    audit = await asyncio.create_subprocess_exec(
        node,
        str(AUDIT),
        str(tmp_path / "pages.json"),
        env={**os.environ, "LH_DIR": str(LIGHTHOUSE), "CHROME_PATH": shutil.which("chromium") or "/usr/bin/chromium"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(audit.communicate(), timeout=240)
    assert audit.returncode == 0, f"Lighthouse found faults (exit {audit.returncode}):\n{out.decode()}\n{err.decode()}"
    results = json.loads(out)
    assert [r["accessibility"] for r in results.values()] == [1] * len(pages), results
