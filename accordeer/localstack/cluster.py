"""A three-broker KRaft Apache Kafka cluster on 127.0.0.1, for `accordeer run --cluster` and fault tests.

Every node is broker and controller at once (three voters, so the quorum and
the partitions survive one node down). Each node has three listeners:

- CLIENT, where producers and consumers connect: it listens on ``broker_port(i)``
  and advertises ``advertised_ports[i]`` when given, so a TCP proxy in front of
  the broker can stand in for it (clients learn the proxy's port from metadata);
- INTERNAL, for replication between brokers; CONTROLLER, for the quorum. Neither
  goes through an advertised client port, so a proxy disturbs only clients.

Brokers are numbered 0 .. brokers-1 in this API (node.id is i + 1). The ports
and the quorum's directory ids are chosen once and kept in ``data_dir``, since
the voters' addresses are written into the formatted storage: a restart of the
same data dir (a node or the whole cluster) uses the same ports again.

The methods block (they start JVMs and wait for them); call them through
``asyncio.to_thread`` from async code.
"""

import json
import shutil
import signal
import subprocess
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_exponential

from accordeer.localstack.kafka import (
    KafkaStartError,
    _cluster_id,
    ensure_jars,
    free_port,
    kafka_java,
    port_open,
    storage_tool,
)
from accordeer.localstack.processes import ManagedProcess, wait_until
from accordeer.localstack.secure import BrokerSecurity, SecurityMaterialError

STARTED_LINE = "Kafka Server started"
"""What KafkaRaftServer logs once the node is unfenced and serves clients (deploy/kafka/log4j2.yaml keeps it)."""

_CONFIG = """\
# Written by accordeer.localstack.cluster on every start; node {node_id} of {voters}.
process.roles=broker,controller
node.id={node_id}
controller.quorum.bootstrap.servers={quorum}
listeners=CLIENT://127.0.0.1:{client_port},INTERNAL://127.0.0.1:{internal_port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=CLIENT://127.0.0.1:{advertised_port},INTERNAL://127.0.0.1:{internal_port},CONTROLLER://127.0.0.1:{controller_port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=INTERNAL
listener.security.protocol.map=CLIENT:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs={log_dir}
# The product creates its topics with their partitions and replication (deploy/topics.yaml).
auto.create.topics.enable=false
num.partitions=1
default.replication.factor={replication}
min.insync.replicas={min_isr}
offsets.topic.replication.factor={replication}
offsets.topic.num.partitions=10
transaction.state.log.replication.factor={replication}
transaction.state.log.min.isr={min_isr}
share.coordinator.state.topic.replication.factor={replication}
share.coordinator.state.topic.min.isr={min_isr}
group.initial.rebalance.delay.ms=0
# A killed broker is noticed in seconds, not the default 9 s, and comes back quickly after a restart.
broker.session.timeout.ms=6000
broker.heartbeat.interval.ms=1000
log.segment.bytes=67108864
log.retention.hours=168
"""


@dataclass
class _Ports:
    client: int
    internal: int
    controller: int


class LocalKafkaCluster:
    """``brokers`` combined broker+controller nodes whose data lives in ``data_dir`` (formatted on first start).

    ``base_port``: client ports base_port, base_port+1, ...; internal ports from base_port+10, controller ports from
    base_port+20. None: free ports, chosen on the first start of this data dir. ``advertised_ports``: broker index →
    the port it advertises to clients instead of its own (a proxy's). ``security``: secure mode, SCRAM over TLS
    for clients, certificates between the nodes, the StandardAuthorizer (accordeer/localstack/secure.py)."""

    def __init__(
        self,
        data_dir: Path,
        cache_dir: Path,
        *,
        brokers: int = 3,
        advertised_ports: dict[int, int] | None = None,
        base_port: int | None = None,
        heap: str = "384m",
        security: BrokerSecurity | None = None,
    ):
        self.data_dir, self.cache_dir, self.brokers = Path(data_dir), Path(cache_dir), brokers
        self.security = security
        self.advertised_ports = dict(advertised_ports or {})
        self.base_port, self.heap = base_port, heap
        self.processes: dict[int, ManagedProcess] = {}
        self._ports = self._load_or_choose_ports()

    # -- addresses -------------------------------------------------------------------------------------------

    def broker_port(self, i: int) -> int:
        """The port broker ``i`` listens on for clients."""
        return self._ports[self._index(i)].client

    def advertised_port(self, i: int) -> int:
        """The port broker ``i`` tells clients to use (its own, unless a proxy stands in for it)."""
        return self.advertised_ports.get(self._index(i), self.broker_port(i))

    @property
    def bootstrap_servers(self) -> str:
        """Every broker's client address (the ports they listen on)."""
        return ",".join(f"127.0.0.1:{self.broker_port(i)}" for i in range(self.brokers))

    @property
    def replication_factor(self) -> int:
        return min(3, self.brokers)

    @property
    def min_insync_replicas(self) -> int:
        return 2 if self.brokers >= 3 else 1

    # -- lifecycle -------------------------------------------------------------------------------------------

    def start(self, timeout: float = 120.0) -> "LocalKafkaCluster":
        """Start every node and wait until each one serves clients."""
        busy = [p for ports in self._ports for p in (ports.client, ports.internal, ports.controller) if port_open(p)]
        if busy:
            raise KafkaStartError(f"port(s) {', '.join(map(str, busy))} already in use; stop what runs there")
        libs = ensure_jars(self.cache_dir)
        if self.security is not None:
            self.security.prepare()
        configs = [self._write_config(i) for i in range(self.brokers)]
        self._format(libs, configs)
        started = [self._launch(i, libs) for i in range(self.brokers)]
        try:
            for i, seen in started:
                self._wait_started(i, seen, timeout)
            if self.security is not None:
                self.security.register_missing(libs, self.bootstrap_servers)
        except (KafkaStartError, SecurityMaterialError):
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """SIGTERM to every node at once (each one shuts down cleanly while the quorum still stands)."""
        running = [p for p in self.processes.values() if p.running()]
        for process in running:
            process._signal(signal.SIGTERM)
        for process in running:
            process.stop(grace_seconds=30)

    def kill(self) -> None:
        """SIGKILL to every node: for a cluster whose data is thrown away (a test's), no clean shutdown to wait for."""
        for process in self.processes.values():
            if process.running():
                process.kill()

    def kill_broker(self, i: int) -> None:
        """SIGKILL: a crash, nothing flushed, no controlled shutdown."""
        self.processes[self._index(i)].kill()

    def stop_broker(self, i: int) -> None:
        """SIGTERM and wait: a clean shutdown that moves leadership away first."""
        self.processes[self._index(i)].stop(grace_seconds=60)

    def start_broker(self, i: int, timeout: float = 120.0) -> None:
        """Start node ``i`` again with its data, and wait until it serves clients."""
        i = self._index(i)
        if (process := self.processes.get(i)) is not None and process.running():
            raise KafkaStartError(f"broker {i} is running already")
        libs = ensure_jars(self.cache_dir)
        self._write_config(i)
        _, seen = self._launch(i, libs)
        self._wait_started(i, seen, timeout)

    def lose_disk(self, i: int) -> None:
        """SIGKILL node ``i`` and delete its data folder, as when its disk dies: its partitions' logs and its copy
        of the metadata log now exist only on the other nodes."""
        i = self._index(i)
        self.processes[i].kill()
        shutil.rmtree(self._node_dir(i) / "logs")

    def rejoin_empty(self, i: int, timeout: float = 120.0) -> str:
        """Start node ``i`` on an empty data folder and make it a voter of the quorum again; returns its new
        directory id.

        The node is formatted *without* initial controllers: re-formatting it with the initial voter set would let
        a voter with an empty metadata log vote, and it could help elect a leader that lacks committed records.
        It starts as an observer (its broker half serves at once and re-replicates its partitions from the
        leaders), then the quorum drops the lost voter, (node id, old directory id), and adds (node id, new
        directory id) once the node has caught up with the metadata log (KIP-853's controller membership changes).
        """
        i = self._index(i)
        if self.security is not None:
            raise KafkaStartError("rejoining an empty node is built for the plaintext cluster only")
        if (self._node_dir(i) / "logs" / "meta.properties").exists():
            raise KafkaStartError(f"broker {i} still has its data; rejoin_empty is for a node whose disk was lost")
        libs = ensure_jars(self.cache_dir)
        config = self._write_config(i)
        document = json.loads((self.data_dir / "cluster.json").read_text())
        _run_tool(
            libs,
            ["kafka.tools.StorageTool", "format", "-t", document["cluster_id"], "-c", str(config), "-N"],
            what=f"formatting broker {i}'s empty disk",
        )
        _, seen = self._launch(i, libs)
        self._wait_started(i, seen, timeout)
        new_id = _directory_id(self._node_dir(i) / "logs" / "meta.properties")
        lost = ["remove-controller", "--controller-id", str(i + 1), "--controller-directory-id"]
        changes = [
            ([*lost, document["directory_ids"][i]], f"removing broker {i}'s lost voter from the quorum"),
            (["--command-config", str(config), "add-controller"], f"adding broker {i} as a voter again"),
        ]
        for arguments, what in changes:
            # The quorum answers after the node has caught up and the change is committed; until then it refuses.
            for attempt in Retrying(
                retry=retry_if_exception_type(KafkaStartError),
                wait=wait_exponential(multiplier=0.5, max=5),
                stop=stop_after_delay(timeout),
                reraise=True,
            ):
                with attempt:
                    self._quorum_tool(arguments, what=what)
        document["directory_ids"][i] = new_id
        (self.data_dir / "cluster.json").write_text(json.dumps(document, indent=2))
        return new_id

    def voters(self) -> dict[int, str]:
        """The quorum's voters as the quorum says: node id → directory id."""
        output = self._quorum_tool(["describe", "--status"], what="describing the quorum")
        line = next(line for line in output.splitlines() if line.startswith("CurrentVoters:"))
        return {voter["id"]: voter["directoryId"] for voter in json.loads(line.split(":", 1)[1])}

    def _quorum_tool(self, arguments: list[str], *, what: str) -> str:
        """kafka-metadata-quorum against this cluster's controllers; its output."""
        command = ["org.apache.kafka.tools.MetadataQuorumCommand", "--bootstrap-controller", self._quorum()]
        return _run_tool(ensure_jars(self.cache_dir), [*command, *arguments], what=what)

    def running(self, i: int) -> bool:
        process = self.processes.get(self._index(i))
        return process is not None and process.running()

    def log_path(self, i: int) -> Path:
        return self._node_dir(self._index(i)) / "kafka.log"

    # -- internals -------------------------------------------------------------------------------------------

    def _index(self, i: int) -> int:
        if not 0 <= i < self.brokers:
            raise IndexError(f"broker {i} does not exist; brokers are numbered 0 to {self.brokers - 1}")
        return i

    def _node_dir(self, i: int) -> Path:
        return self.data_dir / f"broker-{i}"

    def _load_or_choose_ports(self) -> list[_Ports]:
        saved = self.data_dir / "cluster.json"
        if saved.exists():
            document = json.loads(saved.read_text())
            if len(document["ports"]) == self.brokers:
                return [_Ports(**p) for p in document["ports"]]
        if self.base_port is not None:
            return [
                _Ports(self.base_port + i, self.base_port + 10 + i, self.base_port + 20 + i)
                for i in range(self.brokers)
            ]
        return [_Ports(free_port(), free_port(), free_port()) for _ in range(self.brokers)]

    def _quorum(self) -> str:
        return ",".join(f"127.0.0.1:{p.controller}" for p in self._ports)

    def _write_config(self, i: int) -> Path:
        node_dir = self._node_dir(i)
        node_dir.mkdir(parents=True, exist_ok=True)
        ports = self._ports[i]
        config = node_dir / "server.properties"
        config.write_text(
            _CONFIG.format(
                node_id=i + 1,
                voters=self.brokers,
                quorum=self._quorum(),
                client_port=ports.client,
                internal_port=ports.internal,
                controller_port=ports.controller,
                advertised_port=self.advertised_port(i),
                log_dir=node_dir / "logs",
                replication=self.replication_factor,
                min_isr=self.min_insync_replicas,
            )
        )
        if self.security is not None:
            with config.open("a") as file:
                file.write(
                    self.security.server_properties(
                        client_port=ports.client,
                        advertised_port=self.advertised_port(i),
                        internal_port=ports.internal,
                        controller_port=ports.controller,
                    )
                )
        return config

    def _format(self, libs: Path, configs: list[Path]) -> None:
        """Format every node not formatted yet, with one cluster id and one initial voter set for all."""
        saved = self.data_dir / "cluster.json"
        if saved.exists():
            document = json.loads(saved.read_text())
        else:
            document = {
                "cluster_id": _cluster_id(),
                "directory_ids": [_cluster_id() for _ in range(self.brokers)],
                "ports": [vars(p) for p in self._ports],
            }
            saved.write_text(json.dumps(document, indent=2))
        voters = ",".join(
            f"{i + 1}@127.0.0.1:{p.controller}:{document['directory_ids'][i]}" for i, p in enumerate(self._ports)
        )
        with ExitStack() as files:
            pending = {
                i: subprocess.Popen(
                    kafka_java(
                        libs,
                        *files.enter_context(
                            storage_tool(
                                self.security,
                                [
                                    "kafka.tools.StorageTool",
                                    "format",
                                    "-t",
                                    document["cluster_id"],
                                    "-c",
                                    str(config),
                                    "--initial-controllers",
                                    voters,
                                ],
                            )
                        ),
                        heap="256m",
                    ),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
                for i, config in enumerate(configs)
                if not (self._node_dir(i) / "logs" / "meta.properties").exists()
            }
            outputs = {i: process.communicate()[0] for i, process in pending.items()}
        failures = [f"broker {i}: {outputs[i].strip()}" for i, p in pending.items() if p.returncode != 0]
        if failures:
            raise KafkaStartError("formatting Kafka storage failed:\n" + "\n".join(failures))

    def _launch(self, i: int, libs: Path) -> tuple[int, int]:
        log_path = self._node_dir(i) / "kafka.log"
        seen = _started_count(log_path)
        self.processes[i] = ManagedProcess(
            name=f"kafka-{i}",
            argv=kafka_java(
                libs, "kafka.Kafka", str(self._node_dir(i) / "server.properties"), heap=self.heap, initial_heap="128m"
            ),
            log_path=log_path,
        ).start()
        return i, seen

    def _wait_started(self, i: int, seen: int, timeout: float) -> None:
        process, log_path = self.processes[i], self._node_dir(i) / "kafka.log"
        try:
            wait_until(
                lambda: _started_count(log_path) > seen or not process.running(),
                timeout=timeout,
                interval=0.2,
                what=f"Kafka broker {i}",
            )
        except TimeoutError as exc:
            raise KafkaStartError(f"{exc}\n{process.tail()}") from exc
        if not process.running():
            raise KafkaStartError(f"Kafka broker {i} exited at start:\n{process.tail()}")


def _run_tool(libs: Path, arguments: list[str], *, what: str) -> str:
    """Run one of Kafka's command-line tools from the jars; its output, or KafkaStartError with it."""
    result = subprocess.run(
        kafka_java(libs, *arguments, heap="128m"),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise KafkaStartError(f"{what} failed:\n{(result.stdout + result.stderr).strip()[-2000:]}")
    return result.stdout


def _directory_id(meta_properties: Path) -> str:
    for line in meta_properties.read_text().splitlines():
        if line.startswith("directory.id="):
            return line.split("=", 1)[1].strip()
    raise KafkaStartError(f"{meta_properties} names no directory.id")


def _started_count(log_path: Path) -> int:
    if not log_path.exists():
        return 0
    return log_path.read_text(errors="replace").count(STARTED_LINE)
