"""Fixtures: the session's real Kafka and PostgreSQL, and a fresh system under test per end-to-end test (each
prepared while the test before it runs)."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from tests.support.infrastructure import session_infrastructure, shared_kafka
from tests.support.system import SystemSupply


def pytest_configure(config: pytest.Config) -> None:
    """In the run's first process (the one that starts the test processes, or the only one), one Kafka broker for
    all of them, handed on as KAFKA_BOOTSTRAP_SERVERS; each process keeps a PostgreSQL of its own."""
    if hasattr(config, "workerinput"):
        return
    # Not under --basetemp: pytest clears that folder when a process first asks for it.
    data = Path(tempfile.mkdtemp(prefix="accordeer-test-kafka-"))
    config.add_cleanup(lambda: shutil.rmtree(data, ignore_errors=True))
    kafka = shared_kafka(data)
    if kafka is not None:
        config.add_cleanup(kafka.stop)
        os.environ["KAFKA_BOOTSTRAP_SERVERS"] = kafka.bootstrap_servers


EARLY = (
    "tests/integration/test_secure_broker.py",
    "tests/integration/test_local_cluster.py",
    "tests/e2e/test_cli_edges.py",
    "tests/e2e/test_kafka_security.py",
    "tests/e2e/test_run_secure.py",
    "tests/e2e/test_import.py",
    "tests/e2e/test_workflow_versions.py",
    "tests/e2e/test_lighthouse.py",
    "tests/e2e/test_secrets_scan.py",
    "tests/e2e/test_dispatch_redelivery.py",
)
"""The longest files, longest first (about a minute or more each on one worker; the first two start Kafka clusters
of their own): handed out first (make test gives a worker a file at a time, in this order), so that no worker
starts one when the others are done. A run whose last minute is one long file is a minute longer than it needs."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: next((n for n, start in enumerate(EARLY) if item.nodeid.startswith(start)), len(EARLY)))


@pytest.fixture(scope="session")
def infrastructure(tmp_path_factory):
    with session_infrastructure(tmp_path_factory.mktemp("infrastructure")) as infra:
        yield infra


@pytest.fixture(scope="session")
async def systems(infrastructure):
    supply = SystemSupply(infrastructure)
    try:
        yield supply
    finally:
        await supply.close()


@pytest.fixture(scope="session")
async def browser():
    """One headless Chromium per test process; each test opens contexts of its own (cookies, storage)."""
    chromium = shutil.which("chromium")
    assert chromium, "the browser tests need Chromium: apt-get install chromium (make test installs it)"
    async with async_playwright() as playwright:
        chrome = await playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            yield chrome
        finally:
            await chrome.close()


@pytest.fixture
async def system(systems, tmp_path):
    sut = await systems.new_system(tmp_path / "logs")
    try:
        yield sut
    finally:
        await sut.close()
