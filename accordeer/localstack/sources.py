"""A source (or a person at the CLI) added while the system runs: its own topics and, on the secure local stack,
its principal and ACLs.

`accordeer authorisations load` calls this before intake sees the new source: the source can then submit on its
own topic (intake's pattern finds it within a metadata refresh, no restart) and read its statuses and refusals.
On a broker this stack did not start (a cluster of the office's, Kubernetes), creating users, ACLs and topics is
the cluster administrator's: the Helm chart's KafkaUser and KafkaTopic resources do it for the sources in its
values.
"""

import asyncio
from pathlib import Path

from aiokafka.errors import TopicAuthorizationFailedError
from pydantic import SecretStr

from accordeer.connect import DATA_DIR
from accordeer.localstack.acls import configured_sources, grant, principals
from accordeer.localstack.kafka import ensure_jars
from accordeer.localstack.secure import ADMIN, BrokerSecurity, find_security
from accordeer.operators import configured_operators, principal_of
from accordeer.paths import TOOLS_CACHE
from services.intake.source_topics import ensure_source_topics, source_names
from shared.kafka.admin import ensure_topics
from shared.kafka.security import client_options
from shared.settings import Settings


async def admit_sources(settings: Settings, authorisations_file: Path) -> list[str]:
    """Give every source of the file what it needs on the running broker; returns one line per thing done."""
    sources = source_names(authorisations_file)
    settings, done = await _principals_and_acls(settings, principals(sources), sources=sources)
    try:
        created = await ensure_source_topics(settings, authorisations_file)
    except TopicAuthorizationFailedError:
        raise PermissionError(
            f"Kafka does not let {settings.kafka_username or 'this client'} create topics: the topics of new sources"
            " (declarations.from.<source>, messages.status.<source>, declarations.refused.<source>), their"
            " principal and ACLs are the cluster administrator's to make (on Kubernetes: add the source to the"
            " chart's values)"
        ) from None
    return done + [f"created topic {name}" for name in created]


async def admit_operators(settings: Settings, operators_file: Path) -> list[str]:
    """Give every person of the operators file their actions topic and, on the secure local stack, their principal
    and ACLs; returns one line per thing done."""
    names = configured_operators(operators_file)
    wanted = principals(configured_sources(), operators=names)
    settings, done = await _principals_and_acls(settings, wanted, operators=names)
    created = await ensure_topics(
        settings.kafka_bootstrap_servers,
        settings.topic_prefix,
        settings.kafka_environment,
        writers=[principal_of(name) for name in names],
        settings=settings,
    )
    return done + [f"created topic {name}" for name in created]


async def _principals_and_acls(
    settings: Settings, wanted: list[str], *, sources: list[str] | None = None, operators: list[str] | None = None
) -> tuple[Settings, list[str]]:
    """On the secure local stack: a principal for each of ``wanted`` that has none yet, and the ACLs of
    ``sources`` and ``operators``; the settings as the admin, to make topics with, and one line per thing done.
    Elsewhere nothing is done and the settings are returned as given."""
    security = find_security(DATA_DIR) if settings.kafka_security == "scram" else None
    if security is None:
        return settings, []
    admitted = BrokerSecurity(security.directory, wanted)
    registered = await asyncio.to_thread(
        admitted.register_missing, ensure_jars(TOOLS_CACHE), settings.kafka_bootstrap_servers
    )
    done = [f"a Kafka principal for {name} (its password: accordeer stack credentials {name})" for name in registered]
    settings = _as_admin(settings, security)
    bindings = await grant(
        settings.kafka_bootstrap_servers,
        client_options(settings),
        prefix=settings.topic_prefix,
        sources=sources,
        operators=operators,
    )
    return settings, [*done, f"{bindings} ACL bindings in place"]


def _as_admin(settings: Settings, security: BrokerSecurity) -> Settings:
    return settings.model_copy(
        update={
            "kafka_username": ADMIN,
            "kafka_password": SecretStr(security.password(ADMIN)),
            "kafka_ca_file": security.ca_file,
        }
    )
