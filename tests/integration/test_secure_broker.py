"""Secure mode of the local Kafka: the least-privilege table says what the issue asks (checked without Kafka), and a
three-broker cluster in secure mode replicates over TLS, keeps its secrets out of its files and logs, and refuses
what the table does not give."""

import asyncio
import json
import stat

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAuthorizationFailedError, UnsupportedVersionError
from pydantic import SecretStr

from accordeer.localstack.acls import (
    DESCRIBE,
    GROUP,
    READ,
    TOPIC,
    WRITE,
    bindings,
    configured_sources,
    grant,
    principals,
)
from accordeer.localstack.cluster import LocalKafkaCluster
from accordeer.localstack.kafka import jars_dir
from accordeer.localstack.secure import ADMIN, BrokerSecurity, change_password
from accordeer.localstack.stack import SERVICES
from accordeer.paths import TOOLS_CACHE
from shared import topology
from shared.kafka.admin import topic_spec
from shared.kafka.security import client_options
from shared.settings import Settings
from shared.topics import Topics

SOURCES = configured_sources()
TABLE = bindings(SOURCES)


def _holders(resource_type: int, name: str, operation: int) -> set[str]:
    return {
        b.principal
        for b in TABLE
        if b.resource_type == resource_type
        and b.operation == operation
        and (name.startswith(b.name) if b.prefixed else name == b.name)
    }


# -- the table (no Kafka) -----------------------------------------------------------------------------------------


def test_every_principal_is_a_service_the_operator_a_source_or_keda():
    assert set(principals(SOURCES)) == {*SERVICES, "operator", *SOURCES, "keda"}


def test_keda_only_describes_what_the_services_consume_and_their_groups():
    kedas = {b for b in TABLE if b.principal == "keda"}
    assert {b.operation for b in kedas} == {DESCRIBE}
    consumed = {name.removesuffix("*") for s in topology.SERVICES for name in s.consumes}
    assert {b.name for b in kedas if b.resource_type == TOPIC} == consumed
    assert {b.name for b in kedas if b.resource_type == GROUP} == {"accordeer-"}


def test_each_writer_of_actions_alone_writes_its_own_topic_and_nobody_the_shared_one():
    topics = Topics()
    assert _holders(TOPIC, topics.portal_actions, WRITE) == {"portal"}
    assert _holders(TOPIC, topics.actions_from("operator"), WRITE) == {"operator"}
    assert _holders(TOPIC, topics.workflow_actions, WRITE) == set()
    assert _holders(TOPIC, topics.portal_actions, READ) == {"workflow"}


@pytest.mark.parametrize("source", SOURCES)
def test_only_a_source_writes_its_own_topic_and_only_intake_and_the_operator_read_it(source):
    topic = Topics().inbound_from(source)
    assert _holders(TOPIC, topic, WRITE) == {source}
    assert _holders(TOPIC, topic, READ) == {"intake"}


def test_only_the_operator_writes_the_shared_inbound_topic_the_import_its_own():
    assert _holders(TOPIC, Topics().inbound, WRITE) == {"operator"}
    assert _holders(TOPIC, Topics().inbound_from("import"), WRITE) == {"import"}


def test_each_service_joins_only_its_own_group_and_only_the_portal_describes_the_others():
    for service in SERVICES:
        assert {
            b.name for b in TABLE if b.principal == service and b.resource_type == GROUP and b.operation == READ
        } == {Topics().group(service)}
    describers = {b.principal for b in TABLE if b.resource_type == GROUP and b.operation != READ}
    # the operator page, `accordeer lag` and a deployment's KEDA (the lag it scales on)
    assert describers == {"portal", "operator", "keda"}


def test_the_table_names_only_the_products_topics():
    """A typo would leave a service without a right it needs, or grant one on a topic nobody uses."""
    known = set(topic_spec()) | {t for s in SOURCES for t in Topics().source_topics(s)}
    read = {b.name for b in TABLE if b.operation == READ and b.resource_type == TOPIC}
    dead_letters = {Topics().dead_letters_of(t) for t in read}
    named = {b.name for b in TABLE if b.resource_type == TOPIC and not b.prefixed}
    assert named - known - dead_letters == set()


def test_names_carry_the_topic_prefix():
    assert all(b.name.startswith("acme.") for b in bindings(SOURCES, "acme."))


# -- a secure cluster ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def secure_cluster(tmp_path_factory):
    data = tmp_path_factory.mktemp("secure-cluster")
    security = BrokerSecurity(data / "security", principals(SOURCES))
    cluster = LocalKafkaCluster(data, TOOLS_CACHE, brokers=3, security=security).start()
    try:
        yield cluster, security
    finally:
        cluster.stop()


def _options(security: BrokerSecurity, principal: str, password: str | None = None) -> dict:
    return client_options(
        Settings(
            kafka_security="scram",
            kafka_username=principal,
            kafka_password=SecretStr(password or security.password(principal)),
            kafka_ca_file=security.ca_file,
        )
    )


async def test_a_secure_cluster_replicates_and_refuses_what_the_table_does_not_give(secure_cluster):
    cluster, security = secure_cluster
    bootstrap = cluster.bootstrap_servers
    assert await grant(bootstrap, _options(security, ADMIN), prefix="it.") == len(bindings(SOURCES, "it."))
    topics = Topics("it.")
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **_options(security, ADMIN))
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topics.inbound_from("exact"), 3, replication_factor=3)])
    finally:
        await admin.close()

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", **_options(security, "exact"))
    await producer.start()
    try:
        await producer.send_and_wait(topics.inbound_from("exact"), b"declaration", key=b"k")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topics.inbound_from("exact"),
        group_id=topics.group("intake"),
        auto_offset_reset="earliest",
        bootstrap_servers=bootstrap,
        **_options(security, "intake"),
    )
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), 60)
        assert record.value == b"declaration"
    finally:
        await consumer.stop()

    intruder = AIOKafkaProducer(bootstrap_servers=bootstrap, **_options(security, "nmbrs"))
    await intruder.start()
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            await intruder.send_and_wait(topics.inbound_from("exact"), b"forged")
    finally:
        await intruder.stop()


async def test_a_wrong_password_or_no_tls_gets_nothing(secure_cluster, caplog):
    cluster, security = secure_cluster
    await _refused_authentication(cluster, _options(security, "exact", "guessed"), caplog)
    plain = AIOKafkaProducer(bootstrap_servers=cluster.bootstrap_servers, request_timeout_ms=3000)
    with pytest.raises((KafkaConnectionError, UnsupportedVersionError, asyncio.TimeoutError)):
        await asyncio.wait_for(plain.start(), 20)
    await plain.stop()


def test_the_secrets_stay_in_their_files(secure_cluster):
    cluster, security = secure_cluster
    assert stat.S_IMODE(security.directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(security.credentials_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(security.keystore.stat().st_mode) == 0o600
    passwords = json.loads(security.credentials_file.read_text()).values()
    written = [cluster.log_path(i).read_text(errors="replace") for i in range(3)]
    written += [(cluster.data_dir / f"broker-{i}" / "server.properties").read_text() for i in range(3)]
    assert not [p for p in passwords for text in written if p in text]


async def test_a_password_changes_and_a_principal_added_later_gets_one(secure_cluster, caplog):
    cluster, security = secure_cluster
    old = security.password("exact")
    await asyncio.to_thread(change_password, jars_dir(TOOLS_CACHE), cluster.bootstrap_servers, security, "exact")
    assert security.password("exact") != old
    await _connects(cluster, _options(security, "exact"))
    await _refused_authentication(cluster, _options(security, "exact", old), caplog)

    security.principals.append("newsource")  # as a source added to authorisations.yaml after the format
    assert await asyncio.to_thread(security.register_missing, jars_dir(TOOLS_CACHE), cluster.bootstrap_servers) == [
        "newsource"
    ]
    await _connects(cluster, _options(security, "newsource"))
    assert security.missing() == []


async def _connects(cluster: LocalKafkaCluster, options: dict) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=cluster.bootstrap_servers, **options)
    try:
        await producer.start()
    finally:
        await producer.stop()


async def _refused_authentication(cluster: LocalKafkaCluster, options: dict, caplog) -> None:
    caplog.clear()
    with pytest.raises(KafkaConnectionError):  # aiokafka: "Unable to bootstrap", the broker's reason logged
        await _connects(cluster, options)
    assert "SaslAuthenticationFailed" in caplog.text


# -- a first secure start: no password on any command line --------------------------------------------------------


def test_a_first_secure_start_puts_no_password_on_any_command_line(tmp_path):
    """The storage is formatted with every principal's SCRAM credential, and the principals' ACLs and a new one's
    credential are stored as the admin: all of it through files only we may read, never a command line, which any
    local user can read (/proc/<pid>/cmdline)."""
    from accordeer.localstack.kafka import LocalKafka, free_port
    from accordeer.localstack.secure import store_scram
    from tests.support.command_lines import watched_command_lines

    security = BrokerSecurity(tmp_path / "security", principals(SOURCES))
    broker = LocalKafka(TOOLS_CACHE, tmp_path, port=free_port(), controller_port=free_port(), security=security)
    with watched_command_lines() as seen:
        broker.start()
        try:
            store_scram(jars_dir(TOOLS_CACHE), broker.bootstrap_servers, security, {"later": "a-password-of-later"})
        finally:
            broker.kill()
    passwords = [*security.credentials().values(), "a-password-of-later"]
    assert len(passwords) > 10 and any("java-arguments-" in line for line in seen), "the storage format was missed"
    assert [line for line in seen if any(p in line for p in passwords)] == []
