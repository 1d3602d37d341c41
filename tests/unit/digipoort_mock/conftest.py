"""Fixtures for the mock gateway tests: an app on a fake clock and sleep, reached in-process through httpx."""

from collections.abc import AsyncIterator

import httpx
import pytest

from services.digipoort_mock.app import create_app
from services.digipoort_mock.settings import DigipoortMockSettings
from tests.support.clock import FakeClock

from .helpers import SECONDS_PER_STEP, RecordingSleep


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def settings() -> DigipoortMockSettings:
    return DigipoortMockSettings(seconds_per_step=SECONDS_PER_STEP)


@pytest.fixture
async def client(
    settings: DigipoortMockSettings, clock: FakeClock, sleep: RecordingSleep
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, clock=clock, sleep=sleep)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://digipoort.test") as client:
        yield client
