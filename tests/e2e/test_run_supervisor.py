"""`accordeer run` keeps its processes running: a killed service comes back (and the terminal says so), the mocked
gateway too, Kafka and PostgreSQL too, and `accordeer stack restart NAME` restarts one at once.

Starts a real `accordeer run --no-demo` (its own Kafka and PostgreSQL, in a data dir of its own, on free ports):
run it under `flock /tmp/kafka.lock`.
"""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from accordeer.localstack.kafka import free_port, port_open
from accordeer.localstack.stack import ops_ports

pytestmark = pytest.mark.e2e

ACCORDEER = [sys.executable, "-m", "accordeer.cli"]
SERVICE_COUNT = 5


def _free_run_of_ports(count: int) -> int:
    """``count`` ports in a row that nobody uses, below the system's range for outgoing connections (as
    free_port's): dispatch, killed, is started again on its port, which must still be free then."""
    while True:
        first = random.randrange(20000, 32768 - count)
        if not any(port_open(first + n) for n in range(count)):
            return first


class RunningStack:
    """One `accordeer run` in a subprocess, its terminal written to a file."""

    def __init__(self, data_dir: Path, *options: str):
        """``options`` of `accordeer run` besides --no-demo, e.g. --secure."""
        self.data_dir = data_dir
        self.options = options
        self.terminal = data_dir / "terminal.txt"
        self.ops_port = _free_run_of_ports(SERVICE_COUNT)
        self.gateway_port = free_port()
        self.env = {
            key: value for key, value in os.environ.items() if key not in ("KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL")
        }
        self.env.update(
            {
                "ACCORDEER_DATA_DIR": str(data_dir),
                "PYTHONUNBUFFERED": "1",
                "ACCORDEER_RUN_KAFKA_PORT": str(free_port()),
                "ACCORDEER_RUN_GATEWAY_PORT": str(self.gateway_port),
                "ACCORDEER_RUN_MAIL_PORT": str(free_port()),
                "ACCORDEER_RUN_PORTAL_PORT": str(free_port()),
                "ACCORDEER_RUN_STATUS_API_PORT": str(free_port()),
                "ACCORDEER_RUN_OPS_PORT": str(self.ops_port),
            }
        )
        self.process: subprocess.Popen | None = None

    def start(self) -> "RunningStack":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.terminal.open("wb") as out:
            self.process = subprocess.Popen(
                [*ACCORDEER, "run", "--no-demo", *self.options],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
            )
        self.wait_for_line("the system keeps running", timeout=240)
        return self

    def output(self) -> str:
        return self.terminal.read_text(errors="replace")

    def log(self, name: str, lines: int = 40) -> str:
        """The end of a process's log, to say why it stopped."""
        path = self.data_dir / "logs" / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else "(no log)"

    def wait_for_line(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return
            assert self.process is not None, "start() the run first"
            assert self.process.poll() is None, f"accordeer run ended:\n{self.output()}"
            time.sleep(0.2)
        raise AssertionError(f"no line {text!r} within {timeout:g} s:\n{self.output()}")

    def pids(self) -> dict[str, int]:
        return json.loads((self.data_dir / "run" / "supervisor.json").read_text())["processes"]

    def wait_for_new_pid(self, name: str, old: int, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (pid := self.pids().get(name)) is not None and pid != old:  # not listed (yet): keep waiting
                return pid
            time.sleep(0.2)
        raise AssertionError(f"{name} was not started again:\n{self.output()}")

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*ACCORDEER, *args], env=self.env, capture_output=True, text=True, timeout=120, check=False
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def _ready(port: int, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return False


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = RunningStack(tmp_path_factory.mktemp("run")).start()
    try:
        yield running
    finally:
        running.stop()


def test_a_killed_service_is_restarted_with_a_growing_wait_and_the_terminal_says_so(stack):
    dispatch = stack.pids()["dispatch"]
    os.killpg(dispatch, signal.SIGKILL)
    stack.wait_for_line("dispatch stopped (exit code -9); restarting in 1 s (restart 1)")
    again = stack.wait_for_new_pid("dispatch", dispatch)
    assert _alive(again)

    os.killpg(again, signal.SIGKILL)  # at once: a second crash in a row waits longer
    stack.wait_for_line("dispatch stopped (exit code -9); restarting in 2 s (restart 2)")
    third = stack.wait_for_new_pid("dispatch", again)
    assert _ready(stack.ops_port + 2), f"dispatch does not answer after its restarts:\n{stack.output()}"
    assert stack.process.poll() is None, stack.output()
    dead = {name: pid for name, pid in stack.pids().items() if not _alive(pid)}
    assert not dead, f"not alive after dispatch's restarts: {dead}\n{stack.output()}\n{stack.log('dispatch')}"
    assert stack.pids()["dispatch"] == third, f"dispatch restarted again:\n{stack.output()}\n{stack.log('dispatch')}"


def test_the_mocked_gateway_comes_back_too(stack):
    gateway = stack.pids()["digipoort_mock"]
    os.killpg(gateway, signal.SIGKILL)
    stack.wait_for_line("digipoort_mock stopped (exit code -9); restarting in 1 s (restart 1)")
    stack.wait_for_new_pid("digipoort_mock", gateway)
    deadline = time.monotonic() + 30
    while not port_open(stack.gateway_port) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert port_open(stack.gateway_port)


def test_stack_restart_restarts_a_service_at_once(stack):
    before = stack.pids()["dispatch"]
    result = stack.cli("stack", "restart", "dispatch")
    assert result.returncode == 0, result.stdout + result.stderr
    after = stack.pids()["dispatch"]
    assert result.stdout.strip() == f"dispatch restarted (pid {before} → {after})"
    stack.wait_for_line("dispatch restarted on request")
    assert not _alive(before) and _alive(after)
    assert _ready(stack.ops_port + 2)


def test_kafka_and_postgresql_killed_are_started_again_and_the_services_carry_on(stack):
    kafka = int(subprocess.check_output(["pgrep", "-f", f"kafka.Kafka {stack.data_dir}"]).split()[0])
    postmaster = int((stack.data_dir / "postgres" / "postmaster.pid").read_text().split()[0])
    os.kill(kafka, signal.SIGKILL)
    os.kill(postmaster, signal.SIGKILL)
    stack.wait_for_line("PostgreSQL stopped (its server in ")
    stack.wait_for_line("Kafka stopped (exit code -9, log ")
    assert "restarting in 1 s (restart 1)" in stack.output().split("Kafka stopped", 1)[1].splitlines()[0]
    stack.wait_for_line("Kafka is back", timeout=120)
    stack.wait_for_line("PostgreSQL is back", timeout=120)
    status = stack.cli("status")
    assert status.returncode == 0, status.stdout + status.stderr
    ports = ops_ports(stack.ops_port)
    for name in ("intake", "workflow", "dispatch"):
        assert _ready(ports[name], timeout=90), f"{name} did not recover:\n{stack.log(name)}"
    assert stack.process.poll() is None, stack.output()


def test_stack_add_starts_one_more_process_of_a_service_that_is_watched_like_the_others(stack):
    result = stack.cli("stack", "add", "intake")
    assert result.returncode == 0, result.stdout + result.stderr
    pid = stack.pids()["intake-2"]
    assert result.stdout.startswith(f"intake-2 started (pid {pid}); health on http://127.0.0.1:"), result.stdout
    port = int(result.stdout.split("http://127.0.0.1:", 1)[1].split("/", 1)[0])
    assert _ready(port), f"the second intake does not answer:\n{stack.log('intake-2')}"
    stack.wait_for_line(f"intake-2 started beside intake (pid {pid}; health and metrics on port {port})")

    os.killpg(pid, signal.SIGKILL)
    stack.wait_for_line("intake-2 stopped (exit code -9); restarting in 1 s (restart 1)")
    assert _alive(stack.wait_for_new_pid("intake-2", pid))
    assert _ready(port), f"the second intake did not come back on its port:\n{stack.log('intake-2')}"

    not_a_service = stack.cli("stack", "add", "digipoort_mock")
    assert not_a_service.returncode == 2 and "no service called 'digipoort_mock'" in not_a_service.stderr


def test_stack_restart_of_an_unknown_name_lists_the_names(stack):
    result = stack.cli("stack", "restart", "dispach")
    assert result.returncode == 2
    assert (
        "no process called 'dispach'; the local stack runs intake, workflow, dispatch, notifier, portal, "
        "status_api, digipoort_mock, mail_sink" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_stack_restart_without_a_running_stack_says_so(stack):
    stack.stop()
    assert f"stopped; data kept in {stack.data_dir}" in stack.output()
    result = stack.cli("stack", "restart", "dispatch")
    assert result.returncode == 1
    assert "no local stack is running here" in result.stderr and "make run" in result.stderr
