"""Creating the topics without settings uses the principal of ``as_principal``, as every other client: how
`accordeer run --secure` creates them as its admin (a plaintext admin client was refused by the secure broker)."""

import pytest
from pydantic import SecretStr

from shared.kafka import admin
from shared.kafka.security import as_principal
from shared.settings import Settings


class Refused(Exception):
    pass


async def test_topics_are_created_as_the_principal_in_force(monkeypatch):
    seen = {}

    class Admin:
        def __init__(self, **options):
            seen.update(options)

        async def start(self):
            raise Refused

    monkeypatch.setattr(admin, "AIOKafkaAdminClient", Admin)
    secure = Settings(kafka_security="scram", kafka_username="accordeer-admin", kafka_password=SecretStr("pw"))
    with as_principal(secure), pytest.raises(Refused):
        await admin.ensure_topics("127.0.0.1:1")
    assert seen["security_protocol"] == "SASL_SSL" and seen["sasl_plain_username"] == "accordeer-admin"
