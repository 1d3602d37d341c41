"""Fixtures: the session's real Kafka and PostgreSQL, and a fresh system under test per end-to-end test."""

import pytest

from tests.support.infrastructure import session_infrastructure
from tests.support.system import new_system


@pytest.fixture(scope="session")
def infrastructure(tmp_path_factory):
    with session_infrastructure(tmp_path_factory.mktemp("infrastructure")) as infra:
        yield infra


@pytest.fixture
async def system(infrastructure, tmp_path):
    sut = await new_system(infrastructure, tmp_path / "logs")
    try:
        yield sut
    finally:
        await sut.close()
