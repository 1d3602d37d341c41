"""Every answer of the portal carries the security headers, whoever asks and whatever the route: pages, redirects,
refusals, error pages and static files."""

import pytest
from argon2 import PasswordHasher
from starlette.routing import Mount, Route
from starlette.testclient import TestClient
from starsessions.stores import InMemoryStore

from services.portal.accounts import Account, Accounts
from services.portal.config import PortalSettings
from services.portal.login_throttle import MemoryLoginThrottle
from services.portal.web import Portal
from shared.topics import Topics
from tests.unit.portal.fakes import Clock, EmptyDatabase, second_factors

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
EXPECTED = {
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


def _portal() -> Portal:
    return Portal(
        EmptyDatabase,  # type: ignore[arg-type]  # a fake with the pool calls the pages make
        Topics(),
        Accounts({"sanne": Account(role="client", password_hash=FAST.hash("demo"))}, FAST),
        PortalSettings(),
        second_factors=second_factors(Clock()),
        sessions=InMemoryStore(),
        login_throttle=MemoryLoginThrottle(),
        code_throttle=MemoryLoginThrottle(kind="code"),
    )


def _paths() -> list[str]:
    """One address per route of the app (path parameters filled in), and a file under /static."""
    paths = []
    for route in _portal().app().routes:
        if isinstance(route, Mount):
            paths.append(f"{route.path}/portal.css")
        elif isinstance(route, Route):
            paths.append(route.path.replace("{item_id}", "00000000-0000-0000-0000-000000000000").replace("{", "x"))
    return sorted(set(paths)) + ["/nergens"]


@pytest.mark.parametrize("path", _paths())
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_every_answer_carries_the_security_headers(path, method):
    answer = TestClient(_portal().app(), follow_redirects=False).request(method, path)
    assert {name: answer.headers.get(name) for name in EXPECTED} == EXPECTED, (method, path, answer.status_code)
    policy = answer.headers["content-security-policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
