"""The local three-broker KRaft cluster: replicated topics survive a killed broker, a proxy can stand in for one.

Starts its own cluster (not the session's single broker): run it under `flock /tmp/kafka.lock`.
"""

import asyncio
import contextlib
import time

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from accordeer.localstack.cluster import LocalKafkaCluster
from accordeer.paths import TOOLS_CACHE
from shared.kafka.admin import ensure_topics, replication_of
from shared.kafka.producer import create_producer
from shared.runtime import new_broker
from shared.settings import Settings
from shared.topics import Topics

PROXIED = 2
"""The broker a TCP proxy stands in for: it advertises the proxy's port to clients."""


class _Proxy:
    """A plain TCP forwarder that counts the connections it carried."""

    def __init__(self) -> None:
        self.target_port = 0
        self.connections = 0
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def _serve(self, client_reader, client_writer):
        self.connections += 1
        try:
            broker_reader, broker_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            client_writer.close()
            return

        async def pipe(reader, writer):
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            writer.close()

        await asyncio.gather(pipe(client_reader, broker_writer), pipe(broker_reader, client_writer))

    def close(self):
        if self.server is not None:
            self.server.close()


@pytest.fixture(scope="module")
async def cluster(tmp_path_factory):
    proxy = _Proxy()
    proxy_port = await proxy.start()
    local = LocalKafkaCluster(tmp_path_factory.mktemp("cluster"), TOOLS_CACHE, advertised_ports={PROXIED: proxy_port})
    proxy.target_port = local.broker_port(PROXIED)
    await asyncio.to_thread(local.start)
    try:
        yield local, proxy, proxy_port
    finally:
        # Its data is thrown away: a clean stop would only wait (half a minute, once the quorum is gone).
        local.kill()
        proxy.close()


async def _describe(bootstrap: str, topic: str) -> dict:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [description] = await admin.describe_topics([topic])
        return description
    finally:
        await admin.close()


async def _produce(bootstrap: str, topic: str, values: list[bytes]) -> None:
    producer = create_producer(bootstrap, client_id="cluster-test")
    await producer.start()
    try:
        await asyncio.gather(*[await producer.send(topic, value) for value in values])
    finally:
        await producer.stop()


async def _consume(bootstrap: str, topic: str, group: str, expected: int, timeout: float = 60) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    seen: list[bytes] = []
    try:
        deadline = time.monotonic() + timeout
        while len(seen) < expected and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                seen.extend(r.value for r in records)
        await consumer.commit()  # through the group coordinator: __consumer_offsets, replicated 3 times
    finally:
        await consumer.stop()
    return seen


async def test_the_cluster_has_three_brokers_and_one_advertises_the_proxy(cluster):
    local, _proxy, proxy_port = cluster
    admin = AIOKafkaAdminClient(bootstrap_servers=local.bootstrap_servers)
    await admin.start()
    try:
        described = await admin.describe_cluster()
    finally:
        await admin.close()
    ports = {b["node_id"]: b["port"] for b in described["brokers"]}
    assert ports == {1: local.broker_port(0), 2: local.broker_port(1), 3: proxy_port}
    assert local.advertised_port(PROXIED) == proxy_port != local.broker_port(PROXIED)


async def test_a_replicated_topic_keeps_producing_and_consuming_with_one_broker_killed(cluster):
    local, proxy, _ = cluster
    bootstrap, topic = local.bootstrap_servers, "replicated"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(topic, 3, replication_factor=3, topic_configs={"min.insync.replicas": "2"})]
        )
    finally:
        await admin.close()
    await _produce(bootstrap, topic, [f"before {n}".encode() for n in range(100)])
    assert proxy.connections > 0, "clients reached broker 3 through its advertised (proxy) port"

    await asyncio.to_thread(local.kill_broker, 0)
    assert not local.running(0)
    await _produce(bootstrap, topic, [f"during {n}".encode() for n in range(100)])
    seen = await _consume(bootstrap, topic, "cluster-test", expected=200)
    assert sorted(seen) == sorted(
        [f"before {n}".encode() for n in range(100)] + [f"during {n}".encode() for n in range(100)]
    )

    await asyncio.to_thread(local.start_broker, 0)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        partitions = (await _describe(bootstrap, topic))["partitions"]
        if all(len(p["isr"]) == 3 for p in partitions):
            break
        await asyncio.sleep(0.5)
    assert all(sorted(p["isr"]) == [1, 2, 3] for p in partitions), partitions
    offsets = await _describe(bootstrap, "__consumer_offsets")
    assert {len(p["replicas"]) for p in offsets["partitions"]} == {3}


async def test_a_cleanly_stopped_broker_comes_back_with_its_data(cluster):
    local, _, _ = cluster
    await asyncio.to_thread(local.stop_broker, 1)
    await _produce(local.bootstrap_servers, "replicated", [b"while broker 1 was stopped"])
    await asyncio.to_thread(local.start_broker, 1)
    assert local.running(1)
    seen = await _consume(local.bootstrap_servers, "replicated", "cluster-test-2", expected=201)
    assert len(seen) == 201


async def test_the_product_topics_get_the_cluster_environments_replication(cluster):
    local, _, _ = cluster
    topics = Topics("replicated.")
    created = await ensure_topics(local.bootstrap_servers, topics.prefix, environment="cluster")
    assert topics.status in created
    admin = AIOKafkaAdminClient(bootstrap_servers=local.bootstrap_servers)
    await admin.start()
    try:
        [described] = await admin.describe_topics([topics.status])
        [configs] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topics.status)])
    finally:
        await admin.close()
    assert {len(p["replicas"]) for p in described["partitions"]} == {3}
    [resource] = configs.resources
    entries = resource[4]  # error code, message, type, name, then the config entries
    assert {name: value for name, value, *_ in entries}["min.insync.replicas"] == "2"
    assert replication_of("cluster").min_insync_replicas == 2 and replication_of("local").replication_factor == 1


def test_an_unknown_environment_is_named_with_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown Kafka environment 'prod'; topics\.yaml knows local, cluster"):
        replication_of("prod")


async def test_a_services_broker_bootstraps_from_every_brokers_address(cluster):
    local, _, _ = cluster
    broker = new_broker(Settings(kafka_bootstrap_servers=local.bootstrap_servers), "cluster-test")
    await broker.connect()
    try:
        assert await broker.ping(timeout=10)
        await broker.publish(b"through the service's broker", "replicated")
    finally:
        await broker.stop()
