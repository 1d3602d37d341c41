"""A single-node KRaft Apache Kafka broker from Maven Central jars, formatted and started on 127.0.0.1."""

import base64
import os
import random
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from string import Template

from accordeer.localstack.jvm import JVM_OPTIONS
from accordeer.localstack.processes import ManagedProcess, wait_until
from accordeer.localstack.secure import BrokerSecurity, SecurityMaterialError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY_KAFKA = REPO_ROOT / "deploy" / "kafka"
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies"


class KafkaStartError(RuntimeError):
    """The local broker could not be fetched, formatted or started."""


def jars_dir(cache_dir: Path) -> Path:
    return cache_dir / "kafka" / "libs"


def ensure_jars(cache_dir: Path) -> Path:
    """Copy the broker's runtime closure from Maven Central once; later runs reuse the cache offline, until
    deploy/kafka/pom.xml changes (the copy remembers the pom it was made from)."""
    libs = jars_dir(cache_dir)
    pom = (DEPLOY_KAFKA / "pom.xml").read_bytes()
    made_from = libs / "pom.xml"
    if any(libs.glob("kafka_2.13-*.jar")) and made_from.exists() and made_from.read_bytes() == pom:
        return libs
    if shutil.which("mvn") is None:
        raise KafkaStartError(
            "Maven (mvn) is needed once to fetch the Kafka jars; install it or set KAFKA_BOOTSTRAP_SERVERS"
        )
    partial = libs.with_name("libs.partial")
    shutil.rmtree(partial, ignore_errors=True)
    result = subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(DEPLOY_KAFKA / "pom.xml"),
            DEPENDENCY_PLUGIN,
            "-DincludeScope=runtime",
            f"-DoutputDirectory={partial}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise KafkaStartError(
            f"fetching the Kafka jars with Maven failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    (partial / "pom.xml").write_bytes(pom)
    shutil.rmtree(libs, ignore_errors=True)
    partial.rename(libs)
    return libs


_HANDED_OUT: set[int] = set()

_LOWEST_FREE_PORT = 20000
"""Free ports are handed out from here up to the system's range for outgoing connections (32768 on Linux)."""


def _outgoing_ports_start() -> int:
    """Where the system's range of ports for outgoing connections begins (0 when it cannot be read)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def free_port() -> int:
    """A port nothing listens on, and one this process has not handed out before (a broker's client and
    controller listeners on one port refuse to start).

    Taken below the range the system picks outgoing connections' local ports from: a process killed and started
    again on its port (a crash test, a restarted broker) would otherwise find it, now and then, held by some
    connection's local end and fail to start. Where that range is unknown, the system picks."""
    outgoing = _outgoing_ports_start()
    while True:
        port = random.randrange(_LOWEST_FREE_PORT, outgoing) if outgoing > _LOWEST_FREE_PORT + 1000 else 0
        if port in _HANDED_OUT:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:  # in use
                continue
            port = s.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def kafka_java(libs: Path, *arguments: str, heap: str, initial_heap: str | None = None) -> list[str]:
    """The command line of a Kafka broker or tool from the jars in ``libs``: our JVM options and log configuration."""
    return [
        "java",
        f"-Xmx{heap}",
        *([f"-Xms{initial_heap}"] if initial_heap else []),
        *JVM_OPTIONS,
        f"-Dlog4j2.configurationFile={DEPLOY_KAFKA / 'log4j2.yaml'}",
        "-cp",
        f"{libs}/*",
        *arguments,
    ]


@contextmanager
def storage_tool(security: BrokerSecurity | None, arguments: list[str]) -> Iterator[list[str]]:
    """The storage tool's main class and arguments; in secure mode with every principal's SCRAM credential, which
    go in a file only we may read (the java launcher's @argfile), never on the command line."""
    if security is None:
        yield arguments
        return
    with security.java_arguments([*arguments, *security.scram_arguments()]) as in_a_file:
        yield in_a_file


def _cluster_id() -> str:
    """16 random bytes, URL-safe base64 without padding; never starting with '-', which the storage tool would
    read as an option (Kafka's own Uuid.randomUuid avoids it the same way)."""
    while (candidate := base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")).startswith("-"):
        pass
    return candidate


@dataclass
class LocalKafka:
    """One broker whose data lives in ``data_dir``; formatted on first start, reused afterwards."""

    cache_dir: Path
    data_dir: Path
    port: int = 9092
    controller_port: int = 9093
    heap: str = "1g"
    security: BrokerSecurity | None = None
    """Secure mode: SCRAM over TLS for clients and the StandardAuthorizer (accordeer/localstack/secure.py)."""
    process: ManagedProcess | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> "LocalKafka":
        if port_open(self.port):
            raise KafkaStartError(
                f"port {self.port} is already in use; stop what runs there or set KAFKA_BOOTSTRAP_SERVERS"
            )
        libs = ensure_jars(self.cache_dir)
        if self.security is not None:
            self.security.prepare()
        config = self._write_config()
        if not (self.data_dir / "logs" / "meta.properties").exists():
            self._format(libs, config)
        self.process = ManagedProcess(
            name="kafka",
            argv=kafka_java(libs, "kafka.Kafka", str(config), heap=self.heap, initial_heap="256m"),
            log_path=self.data_dir / "kafka.log",
        ).start()
        try:
            wait_until(
                lambda: port_open(self.port) or not self.process.running(), timeout=timeout, what="the Kafka broker"
            )
        except TimeoutError as exc:
            self.stop()
            raise KafkaStartError(f"{exc}\n{self.process.tail()}") from exc
        if not self.process.running():
            raise KafkaStartError(f"the Kafka broker exited at start:\n{self.process.tail()}")
        if self.security is not None:
            try:
                self.security.register_missing(libs, self.bootstrap_servers)
            except SecurityMaterialError as error:
                self.stop()
                raise KafkaStartError(str(error)) from error
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop(grace_seconds=20)

    def kill(self) -> None:
        """SIGKILL: for a broker whose data is thrown away (a test's)."""
        if self.process is not None:
            self.process.kill()

    def _write_config(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        template = Template((DEPLOY_KAFKA / "server.properties").read_text())
        config = self.data_dir / "server.properties"
        config.write_text(
            template.substitute(
                port=self.port,
                controller_port=self.controller_port,
                log_dir=self.data_dir / "logs",
            )
        )
        if self.security is not None:
            with config.open("a") as file:
                file.write(
                    self.security.server_properties(
                        client_port=self.port,
                        advertised_port=self.port,
                        internal_port=free_port(),
                        controller_port=self.controller_port,
                    )
                )
        return config

    def _format(self, libs: Path, config: Path) -> None:
        cluster_id = _cluster_id()
        storage = ["kafka.tools.StorageTool", "format", "--standalone", "-t", cluster_id, "-c", str(config)]
        with storage_tool(self.security, storage) as arguments:
            result = subprocess.run(
                kafka_java(libs, *arguments, heap="512m"),
                capture_output=True,
                text=True,
                env={**os.environ},
                check=False,
            )
        if result.returncode != 0:
            raise KafkaStartError(f"formatting Kafka storage failed:\n{result.stdout}{result.stderr}")
