"""The supervisor's policy on a fake clock and fake processes: the wait doubles with each crash in a row, starts
over after a stable run, and a restart request is served at once. (The real thing: tests/e2e/test_run_supervisor.py.)"""

from dataclasses import dataclass, field
from pathlib import Path

from accordeer.localstack.postgres import PostgresStartError
from accordeer.localstack.settings import LocalStackSettings
from accordeer.localstack.supervisor import Backoff, RunState, Supervisor


@dataclass
class FakePopen:
    returncode: int | None = None


@dataclass
class FakeProcess:
    pid: int
    log_path: Path = Path("dispatch.log")
    popen: FakePopen = field(default_factory=FakePopen)
    stopped: bool = False

    @property
    def exit_code(self) -> int | None:
        return self.popen.returncode

    def running(self) -> bool:
        return self.popen.returncode is None

    def stop(self) -> None:
        self.stopped = True
        self.popen.returncode = -15


class FakeServices:
    def __init__(self):
        self.pids = iter(range(100, 1000))
        self.processes = {"dispatch": FakeProcess(next(self.pids))}

    def relaunch(self, name: str) -> FakeProcess:
        self.processes[name] = FakeProcess(next(self.pids))
        return self.processes[name]


class NoInfrastructure:
    def stopped(self) -> dict[str, str]:
        return {}

    def restart(self, what: str) -> None:
        raise AssertionError(f"nothing stopped, yet {what} was restarted")


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def _supervisor(tmp_path, **settings):
    lines, clock, services = [], Clock(), FakeServices()
    supervisor = Supervisor(
        services, NoInfrastructure(), RunState(tmp_path), LocalStackSettings(**settings), say=lines.append, clock=clock
    )
    return supervisor, services, clock, lines


def _crash(services: FakeServices) -> None:
    services.processes["dispatch"].popen.returncode = -9


def test_the_wait_doubles_up_to_its_most():
    assert [Backoff(1, 30).seconds(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_a_crash_waits_then_restarts_and_the_next_crash_in_a_row_waits_longer(tmp_path):
    supervisor, services, clock, lines = _supervisor(tmp_path)
    _crash(services)
    supervisor.check()
    assert lines == ["dispatch stopped (exit code -9); restarting in 1 s (restart 1); see dispatch.log"]
    clock.now = 0.5
    supervisor.check()
    assert services.processes["dispatch"].pid == 100, "not before its wait is over"
    clock.now = 1.0
    supervisor.check()
    assert services.processes["dispatch"].pid == 101
    assert RunState(tmp_path).read()["processes"] == {"dispatch": 101}

    clock.now = 5.0
    _crash(services)
    supervisor.check()
    assert lines[-1].startswith("dispatch stopped (exit code -9); restarting in 2 s (restart 2)")


def test_after_a_stable_run_the_wait_starts_over(tmp_path):
    supervisor, services, clock, lines = _supervisor(tmp_path, stable_seconds=60)
    for _ in range(3):
        _crash(services)
        supervisor.check()
        clock.now += 20
        supervisor.check()
    assert lines[-1].startswith("dispatch stopped (exit code -9); restarting in 4 s (restart 3)")
    clock.now += 61
    supervisor.check()
    _crash(services)
    supervisor.check()
    assert lines[-1].startswith("dispatch stopped (exit code -9); restarting in 1 s (restart 1)")


def test_a_request_stops_and_starts_the_process_at_once(tmp_path):
    supervisor, services, _clock, lines = _supervisor(tmp_path)
    old = services.processes["dispatch"]
    RunState(tmp_path).ask_restart("dispatch")
    supervisor.check()
    assert old.stopped and services.processes["dispatch"].pid == 101
    assert lines == ["dispatch restarted on request"]
    supervisor.check()
    assert services.processes["dispatch"].pid == 101, "one request, one restart"


def test_the_state_is_gone_once_the_supervisor_closes(tmp_path):
    supervisor, *_ = _supervisor(tmp_path)
    assert RunState(tmp_path).read() is not None
    supervisor.close()
    assert RunState(tmp_path).read() is None


def test_infrastructure_that_stops_is_started_again_with_a_growing_wait_and_its_return_said(tmp_path):
    lines, services, clock = [], FakeServices(), Clock()

    class Infrastructure:
        def __init__(self):
            self.down = {"PostgreSQL": "its server in .data/postgres is gone; the services wait for it"}
            self.restarted: list[str] = []
            self.fails = 1

        def stopped(self):
            return dict(self.down)

        def restart(self, what):
            self.restarted.append(what)
            if self.fails:
                self.fails -= 1
                raise PostgresStartError("the embedded PostgreSQL server did not start in .data/postgres: port busy")
            self.down = {}

    infrastructure = Infrastructure()
    supervisor = Supervisor(
        services, infrastructure, RunState(tmp_path), LocalStackSettings(), say=lines.append, clock=clock
    )
    supervisor.check()
    supervisor.check()  # before its wait is over: nothing more
    clock.now = 1.0
    supervisor.check()  # the first try fails: said, and a longer wait
    clock.now = 2.5
    supervisor.check()
    assert infrastructure.restarted == ["PostgreSQL"]
    clock.now = 3.0
    supervisor.check()  # started again
    supervisor.check()
    assert infrastructure.restarted == ["PostgreSQL", "PostgreSQL"]
    assert lines == [
        "PostgreSQL stopped (its server in .data/postgres is gone; the services wait for it); "
        "restarting in 1 s (restart 1)",
        "PostgreSQL did not start again: the embedded PostgreSQL server did not start in .data/postgres: port busy; "
        "trying again in 2 s",
        "PostgreSQL is back",
    ]


def test_one_more_process_asked_for_is_started_with_ports_of_its_own_and_watched(tmp_path, monkeypatch):
    lines, clock = [], Clock()
    started = []

    class Services(FakeServices):
        def start_service(self, name, *, instance="", **env):
            started.append((name, instance, env))
            self.processes[f"{name}-{instance}"] = FakeProcess(next(self.pids), log_path=Path(f"{name}-{instance}.log"))
            return self.processes[f"{name}-{instance}"]

    ports = iter(range(20001, 20100))
    monkeypatch.setattr("accordeer.localstack.supervisor.free_port", lambda: next(ports))
    services, state = Services(), RunState(tmp_path)
    supervisor = Supervisor(services, NoInfrastructure(), state, LocalStackSettings(), say=lines.append, clock=clock)
    state.ask_add("portal")
    state.ask_add("portal")
    supervisor.check()
    assert started == [
        ("portal", "2", {"ACCORDEER_HTTP_PORT": "20001", "ACCORDEER_PORTAL_PORT": "20002"}),
        ("portal", "3", {"ACCORDEER_HTTP_PORT": "20003", "ACCORDEER_PORTAL_PORT": "20004"}),
    ]
    written = state.read()
    assert written is not None and written["ports"] == {"portal-2": 20001, "portal-3": 20003}
    assert lines[0] == (
        "portal-2 started beside portal (pid 101; health and metrics on port 20001; its pages on port 20002); "
        "log portal-2.log"
    )
    services.processes["portal-2"].popen.returncode = -9
    supervisor.check()
    assert lines[-1] == "portal-2 stopped (exit code -9); restarting in 1 s (restart 1); see portal-2.log"
    supervisor.check()
    assert state.take_add_requests() == []
