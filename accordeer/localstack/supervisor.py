"""Keeps `accordeer run`'s processes running: a crashed one is restarted with a growing wait, one is restarted at
once when `accordeer stack restart` asks, and Kafka or PostgreSQL that stopped is started again the same way.

The running supervisor and `accordeer stack restart` meet in ``<data dir>/run/``: ``supervisor.json`` holds the
supervisor's pid and each process's pid (rewritten on every start), and a file ``restart/<name>`` asks for a
restart; the supervisor stops that process (SIGTERM to its process group, SIGKILL after a grace period), starts
it again and removes the file.
"""

import contextlib
import itertools
import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tenacity import RetryCallState, Retrying
from tenacity.wait import wait_exponential

from accordeer.localstack.kafka import KafkaStartError, free_port
from accordeer.localstack.postgres import PostgresStartError
from accordeer.localstack.settings import LocalStackSettings
from accordeer.localstack.stack import HELPERS, SERVICES, Infrastructure, ServiceProcesses

SUPERVISED = (*SERVICES, *HELPERS)
"""The names `accordeer stack restart` accepts (as the logs are named: .data/logs/<name>.log), besides the
processes `accordeer stack add` started (intake-2 ...)."""

OWN_PORT = {"portal": "ACCORDEER_PORTAL_PORT", "status_api": "ACCORDEER_STATUS_API_PORT"}
"""Services that serve people or packages on a port of their own: one more process needs another."""


class Backoff:
    """The wait before the n-th restart in a row: tenacity's exponential wait (first, 2×first, 4×first ... max)."""

    def __init__(self, first: float, most: float):
        self._wait = wait_exponential(multiplier=first, min=first, max=most)

    def seconds(self, restart: int) -> float:
        state = RetryCallState(retry_object=Retrying(), fn=None, args=(), kwargs={})  # the wait reads attempt_number
        state.attempt_number = restart
        return self._wait(state)


@dataclass
class RunState:
    """The files in ``<data dir>/run/`` through which `accordeer stack restart` reaches the supervisor."""

    folder: Path

    @property
    def path(self) -> Path:
        return self.folder / "supervisor.json"

    def write(self, pids: dict[str, int], ports: dict[str, int] | None = None) -> None:
        """Each process's pid, and the health and metrics port of each added one."""
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial")
        partial.write_text(json.dumps({"pid": os.getpid(), "processes": pids, "ports": ports or {}}, indent=2))
        partial.replace(self.path)  # readers never see half a file

    def read(self) -> dict | None:
        """The state of a running supervisor; None when none runs (no file, or its process is gone)."""
        try:
            state = json.loads(self.path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return None
        return state if _alive(state["pid"]) else None

    def ask_restart(self, name: str) -> None:
        (self.folder / "restart").mkdir(parents=True, exist_ok=True)
        (self.folder / "restart" / name).touch()

    def take_restart_request(self, name: str) -> bool:
        try:
            (self.folder / "restart" / name).unlink()
            return True
        except FileNotFoundError:
            return False

    def ask_add(self, name: str) -> None:
        """Ask for one more process of service ``name`` (`accordeer stack add`)."""
        (self.folder / "add").mkdir(parents=True, exist_ok=True)
        (self.folder / "add" / f"{name}.{uuid.uuid4().hex}").touch()

    def take_add_requests(self) -> list[str]:
        """The services one more process was asked of (each once, oldest first), the requests removed."""
        requests = sorted((self.folder / "add").glob("*"), key=lambda path: path.stat().st_mtime_ns)
        names = []
        for request in requests:
            with contextlib.suppress(FileNotFoundError):
                request.unlink()
                names.append(request.name.split(".", 1)[0])
        return names

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
        for request in [*(self.folder / "restart").glob("*"), *(self.folder / "add").glob("*")]:
            request.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class _Watch:
    started_at: float
    restarts: int = 0
    """Crashes in a row without a stable run between them."""
    restart_at: float | None = None

    def stopped(self, now: float, backoff: Backoff) -> float:
        """One more stop in a row: the restart is due after a wait that grows with them; returns the wait."""
        self.restarts += 1
        delay = backoff.seconds(self.restarts)
        self.restart_at = now + delay
        return delay

    def started(self, now: float) -> None:
        self.started_at, self.restart_at = now, None

    def running(self, now: float, stable_seconds: float) -> None:
        """A run as long as ``stable_seconds`` starts the count of stops in a row over."""
        if self.restarts and now - self.started_at >= stable_seconds:
            self.restarts = 0


@dataclass
class Supervisor:
    """``check()`` looks once; ``start()`` looks every ``interval`` seconds in a thread until ``close()``."""

    services: ServiceProcesses
    infrastructure: Infrastructure
    state: RunState
    settings: LocalStackSettings = field(default_factory=LocalStackSettings)
    say: Callable[[str], None] = print
    clock: Callable[[], float] = time.monotonic
    _watches: dict[str, _Watch] = field(default_factory=dict)
    _down: dict[str, str] = field(default_factory=dict)
    _infrastructure: dict[str, _Watch] = field(default_factory=dict)
    _added_ports: dict[str, int] = field(default_factory=dict)

    def __post_init__(self):
        self._backoff = Backoff(self.settings.restart_first_seconds, self.settings.restart_max_seconds)
        now = self.clock()
        self._watches = {name: _Watch(started_at=now) for name in self.services.processes}
        self._publish()

    def check(self) -> None:
        self._keep_infrastructure()
        for name in self.state.take_add_requests():
            self._add(name)
        for name, watch in self._watches.items():
            process = self.services.processes[name]
            now = self.clock()
            if self.state.take_restart_request(name):
                process.stop()
                self._restart(name, watch)
                self.say(f"{name} restarted on request")
            elif process.running():
                watch.running(now, self.settings.stable_seconds)
            elif watch.restart_at is None:
                delay = watch.stopped(now, self._backoff)
                self.say(
                    f"{name} stopped (exit code {process.exit_code}); restarting in {delay:g} s "
                    f"(restart {watch.restarts}); see {process.log_path}"
                )
            elif now >= watch.restart_at:
                self._restart(name, watch)

    def start(self, interval: float = 1.0) -> "Supervisor":
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, args=(interval,), name="supervisor", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop watching (before the processes are stopped, or it would start them again)."""
        if getattr(self, "_thread", None) is not None:
            self._stopping.set()
            self._thread.join()
        self.state.clear()

    def _watch(self, interval: float) -> None:
        while not self._stopping.wait(interval):
            try:
                self.check()
            except OSError as exc:  # e.g. a process that cannot be started; try again next round
                self.say(f"the supervisor could not act: {exc}")

    def _restart(self, name: str, watch: _Watch) -> None:
        self.services.relaunch(name)
        watch.started(self.clock())
        self._publish()

    def _add(self, name: str) -> None:
        """One more process of service ``name`` (``name-2``, ``name-3`` ...), with ports of its own, watched like the
        others until the stack stops: it joins its service's consumer group and shares the partitions."""
        instance = next(str(n) for n in itertools.count(2) if f"{name}-{n}" not in self.services.processes)
        ports = {"ACCORDEER_HTTP_PORT": str(free_port())}
        if name in OWN_PORT:
            ports[OWN_PORT[name]] = str(free_port())
        process = self.services.start_service(name, instance=instance, **ports)
        key = f"{name}-{instance}"
        self._watches[key] = _Watch(started_at=self.clock())
        self._added_ports[key] = int(ports["ACCORDEER_HTTP_PORT"])
        self._publish()
        served = f"; its pages on port {ports[OWN_PORT[name]]}" if name in OWN_PORT else ""
        self.say(
            f"{key} started beside {name} (pid {process.pid}; health and metrics on port "
            f"{self._added_ports[key]}{served}); log {process.log_path}"
        )

    def _publish(self) -> None:
        pids = {name: process.pid for name, process in self.services.processes.items()}
        self.state.write(pids, self._added_ports)

    def _keep_infrastructure(self) -> None:
        """Kafka (a broker of the cluster) or PostgreSQL that stopped is started again like a service, with the same
        growing wait and words; the services wait for it meanwhile and carry on when it is back."""
        down, now = self.infrastructure.stopped(), self.clock()
        for what, how in down.items():
            watch = self._infrastructure.setdefault(what, _Watch(started_at=now))
            if watch.restart_at is None:
                delay = watch.stopped(now, self._backoff)
                self.say(f"{what} stopped ({how}); restarting in {delay:g} s (restart {watch.restarts})")
            elif now >= watch.restart_at:
                try:
                    self.infrastructure.restart(what)
                except (KafkaStartError, PostgresStartError) as error:
                    delay = watch.stopped(self.clock(), self._backoff)
                    self.say(f"{what} did not start again: {error}; trying again in {delay:g} s")
                    continue
                watch.started(self.clock())
        for what in self._down.keys() - down.keys():
            self.say(f"{what} is back")
        for what, watch in self._infrastructure.items():
            if what not in down:
                watch.running(now, self.settings.stable_seconds)
        self._down = down
