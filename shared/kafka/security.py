"""How every Kafka client of Accordeer authenticates: one place that turns the settings into aiokafka keyword
arguments and FastStream's security object.

Plaintext (the default, `make run`): no arguments at all. Secure (``ACCORDEER_KAFKA_SECURITY=scram``):
SASL/SCRAM-SHA-512 over TLS, as ``ACCORDEER_KAFKA_USERNAME`` with ``ACCORDEER_KAFKA_PASSWORD``, the broker's
certificate checked against ``ACCORDEER_KAFKA_CA_FILE``. The broker's ACLs (deploy/kafka_acls.yaml) then decide
what that principal may read and write.
"""

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

from aiokafka.helpers import create_ssl_context
from faststream.security import SASLScram512

from shared.settings import Settings

MECHANISM = "SCRAM-SHA-512"

_principal: ContextVar[Settings | None] = ContextVar("kafka_principal", default=None)


class KafkaCredentialsMissing(ValueError):
    """Secure mode is set but no username or password is: the broker would refuse every request."""


def client_options(settings: Settings | None = None) -> dict[str, Any]:
    """Keyword arguments for AIOKafkaProducer, AIOKafkaConsumer and AIOKafkaAdminClient (empty in plaintext mode).

    ``settings``: by default those of ``as_principal``, else read from the environment (the stack fills it per
    process)."""
    settings = settings or _principal.get() or Settings()
    if settings.kafka_security == "plaintext":
        return {}
    username, password = _credentials(settings)
    return {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": MECHANISM,
        "sasl_plain_username": username,
        "sasl_plain_password": password,
        "ssl_context": tls_context(settings.kafka_ca_file),
    }


def faststream_security(settings: Settings | None = None) -> SASLScram512 | None:
    """The ``security`` of a FastStream KafkaBroker (None in plaintext mode)."""
    settings = settings or _principal.get() or Settings()
    if settings.kafka_security == "plaintext":
        return None
    username, password = _credentials(settings)
    return SASLScram512(
        username=username, password=password, ssl_context=tls_context(settings.kafka_ca_file), use_ssl=True
    )


@contextmanager
def as_principal(settings: Settings) -> Iterator[None]:
    """Clients created inside (also in tasks and ``asyncio.run`` started inside) use ``settings``' credentials: how
    the local stack's own process creates topics and sets up as its admin without putting the admin's password in
    the environment its children inherit."""
    token = _principal.set(settings)
    try:
        yield
    finally:
        _principal.reset(token)


def tls_context(ca_file: Path | None) -> ssl.SSLContext:
    """A client context that checks the broker's certificate and host name (against ``ca_file`` when given)."""
    return _tls_context(str(ca_file) if ca_file else None)


@lru_cache(maxsize=4)
def _tls_context(ca_file: str | None) -> ssl.SSLContext:
    # One context per CA file: loading the CA for each of a process's many clients would be wasted work.
    context: ssl.SSLContext = create_ssl_context(cafile=ca_file)
    return context


def _credentials(settings: Settings) -> tuple[str, str]:
    password = settings.kafka_password.get_secret_value()
    if not settings.kafka_username or not password:
        raise KafkaCredentialsMissing(
            "ACCORDEER_KAFKA_SECURITY is 'scram' but ACCORDEER_KAFKA_USERNAME or ACCORDEER_KAFKA_PASSWORD is not set"
        )
    return settings.kafka_username, password
