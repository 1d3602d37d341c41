"""Each kind of local Kafka keeps its data, and its own PostgreSQL, in folders of its own: a database used with
another Kafka would take that Kafka's records as applied already (its inbox positions are another's offsets)."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from accordeer.localstack.stack import Infrastructure
from shared.db.roles import OWNER, READER


@pytest.mark.parametrize(
    ("brokers", "security", "kafka", "postgres"),
    [
        (1, "plaintext", "kafka", "postgres"),
        (1, "scram", "kafka-secure", "postgres-secure"),
        (3, "plaintext", "kafka-cluster", "postgres-cluster"),
        (3, "scram", "kafka-cluster-secure", "postgres-cluster-secure"),
    ],
)
def test_each_kind_of_kafka_has_its_own_database(brokers, security, kafka, postgres):
    stack = Infrastructure(Path("/data"), Path("/cache"), kafka_brokers=brokers, kafka_security=security)
    assert (stack.kafka_folder, stack.postgres_folder) == (kafka, postgres)


def test_the_cli_finds_whichever_local_database_runs(tmp_path, monkeypatch):
    from accordeer import connect
    from accordeer.localstack import postgres

    for folder in ("postgres", "postgres-secure"):
        (tmp_path / folder).mkdir()
    monkeypatch.setattr(connect, "DATA_DIR", tmp_path)
    monkeypatch.setattr(
        postgres,
        "running_server_url",
        lambda folder: f"postgresql://{folder.name}" if folder.name == "postgres-secure" else None,
    )
    found = urlsplit(connect.database_url(connect.Settings(database_url="")))
    assert (found.hostname, found.username) == ("postgres-secure", OWNER)
    assert found.password == postgres.passwords_of(tmp_path / "postgres-secure")[OWNER]
    reading = urlsplit(connect.database_url(connect.Settings(database_url=""), READER))
    assert (reading.hostname, reading.username) == ("postgres-secure", READER)
