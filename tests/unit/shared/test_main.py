"""A service that cannot start says why in one line and exits 1; a bug keeps its traceback."""

import pytest
from aiokafka.errors import KafkaConnectionError

from shared.main import run_service


@pytest.fixture(autouse=True)
def a_database(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://accordeer_intake@127.0.0.1:1/accordeer")


def test_kafka_refusing_the_start_is_one_line_and_exit_code_1():
    def build_app(settings):
        raise KafkaConnectionError("Unable to bootstrap from [('127.0.0.1', 9092)]")

    with pytest.raises(SystemExit) as stopped:
        run_service("intake", build_app)
    assert stopped.value.code == (
        "intake stopped: Kafka refused or could not be reached (KafkaConnectionError: "
        "KafkaConnectionError: Unable to bootstrap from [('127.0.0.1', 9092)])"
    )


def test_settings_that_do_not_validate_name_the_setting(monkeypatch):
    monkeypatch.setenv("ACCORDEER_BATCH_MAX_RECORDS", "many")

    with pytest.raises(SystemExit) as stopped:
        run_service("workflow", lambda settings: None)
    assert "workflow stopped: its settings are not valid (batch_max_records:" in stopped.value.code


def test_a_bug_keeps_its_traceback():
    def build_app(settings):
        raise ZeroDivisionError("a bug")

    with pytest.raises(ZeroDivisionError):
        run_service("dispatch", build_app)


def test_no_database_url_is_one_line_saying_how_to_start_a_service_beside_make_run(monkeypatch):
    monkeypatch.delenv("DATABASE_URL")
    monkeypatch.delenv("ACCORDEER_DATABASE_URL", raising=False)

    with pytest.raises(SystemExit) as stopped:
        run_service("workflow", lambda settings: pytest.fail("built without a database"))
    assert "workflow stopped: DATABASE_URL is not set" in stopped.value.code
    assert "`accordeer stack add workflow`" in stopped.value.code
