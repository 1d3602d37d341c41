"""Child processes that are always stopped: SIGTERM to the whole process group, SIGKILL after a grace period."""

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ManagedProcess:
    """One long-running child (broker, service, mock) with its output in a log file."""

    name: str
    argv: list[str]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    popen: subprocess.Popen | None = None
    log_offset: int = 0
    """Where in the log file (appended to by every start) this start's output begins."""

    def start(self) -> "ManagedProcess":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.log_offset = log.tell()
        # A session of its own, so a Ctrl-C at the terminal reaches only the
        # supervisor, which then stops every child in order.
        self.popen = subprocess.Popen(
            self.argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **self.env},
            cwd=self.cwd,
            start_new_session=True,
        )
        log.close()
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None, f"{self.name} was never started"
        return self.popen.pid

    @property
    def exit_code(self) -> int | None:
        """How it ended; None while it runs (as last polled), or when it was never started."""
        return self.popen.returncode if self.popen is not None else None

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL at once: a crash, as the crash tests need it."""
        self._signal(signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait()

    def stop(self, grace_seconds: float = 10.0) -> None:
        self.terminate()
        self.wait(grace_seconds)

    def terminate(self) -> None:
        """SIGTERM, without waiting: a clean shutdown begins."""
        self._signal(signal.SIGTERM)

    def wait(self, grace_seconds: float) -> None:
        """Until the process has ended; SIGKILL once ``grace_seconds`` have passed."""
        if self.popen is None:
            return
        try:
            self.popen.wait(timeout=grace_seconds)
        except subprocess.TimeoutExpired:
            self.kill()

    def output(self) -> str:
        """What the process has written since its latest start (a restarted one's earlier lines are not its)."""
        if not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as log:
            log.seek(self.log_offset)
            return log.read().decode(errors="replace")

    def tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def _signal(self, sig: signal.Signals) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)


def wait_until(predicate, *, timeout: float, interval: float = 0.1, what: str = "condition") -> None:
    """Poll ``predicate`` until it is true; raise TimeoutError naming ``what`` otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


def stop_together(processes: Iterable[ManagedProcess], grace_seconds: float = 10.0) -> None:
    """SIGTERM to every process at once, then each waited for, SIGKILL once ``grace_seconds`` have passed in all:
    processes that do not depend on each other need not wait for one another to stop."""
    processes = list(processes)
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + grace_seconds
    for process in processes:
        process.wait(max(0.0, deadline - time.monotonic()))
