"""The one helper every Kafka client takes its security from: nothing in plaintext mode, SCRAM over TLS with
checked certificates in secure mode, and a clear refusal when credentials are missing."""

import asyncio
import ssl

import pytest
from pydantic import SecretStr

from shared.kafka.security import KafkaCredentialsMissing, as_principal, client_options, faststream_security
from shared.settings import Settings


def secure(**overrides) -> Settings:
    return Settings(
        **{"kafka_security": "scram", "kafka_username": "intake", "kafka_password": SecretStr("s3cret"), **overrides}
    )


def test_plaintext_gives_clients_no_security_arguments():
    assert client_options(Settings(kafka_security="plaintext")) == {}
    assert faststream_security(Settings(kafka_security="plaintext")) is None


def test_secure_mode_gives_scram_over_tls_with_the_host_checked():
    options = client_options(secure())
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("intake", "s3cret")
    assert options["ssl_context"].check_hostname
    assert options["ssl_context"].verify_mode == ssl.CERT_REQUIRED


def test_faststream_gets_the_same_principal():
    security = faststream_security(secure())
    assert (security.username, security.password, security.use_ssl) == ("intake", "s3cret", True)


def test_settings_read_the_environment(monkeypatch):
    monkeypatch.setenv("ACCORDEER_KAFKA_SECURITY", "scram")
    monkeypatch.setenv("ACCORDEER_KAFKA_USERNAME", "operator")
    monkeypatch.setenv("ACCORDEER_KAFKA_PASSWORD", "pw")
    assert client_options()["sasl_plain_username"] == "operator"


def test_the_password_is_not_shown_with_the_settings():
    assert "s3cret" not in repr(secure())


@pytest.mark.parametrize("missing", [{"kafka_username": ""}, {"kafka_password": SecretStr("")}])
def test_secure_mode_without_credentials_is_refused_with_a_sentence(missing):
    settings = secure().model_copy(update=missing)
    with pytest.raises(KafkaCredentialsMissing, match="ACCORDEER_KAFKA_USERNAME or ACCORDEER_KAFKA_PASSWORD"):
        client_options(settings)


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError):
        Settings(kafka_security="sasl_plain")


def test_as_principal_gives_clients_created_inside_its_credentials(monkeypatch):
    monkeypatch.setenv("ACCORDEER_KAFKA_SECURITY", "plaintext")
    with as_principal(secure(kafka_username="admin")):
        assert asyncio.run(_options_in_a_task())["sasl_plain_username"] == "admin"
    assert client_options() == {}


async def _options_in_a_task() -> dict:
    async def options() -> dict:
        return client_options()

    return await asyncio.create_task(options())
