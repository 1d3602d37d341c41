"""Every command line on this machine while something runs: to prove that no secret is ever on one."""

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def watched_command_lines(interval: float = 0.005) -> Iterator[set[str]]:
    """The command line of every process seen while the block runs (each a few milliseconds apart)."""
    seen: set[str] = set()
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            for pid in os.listdir("/proc"):
                if pid.isdigit():
                    try:
                        with open(f"/proc/{pid}/cmdline", "rb") as line:
                            seen.add(line.read().replace(b"\0", b" ").decode(errors="replace"))
                    except OSError:  # gone meanwhile
                        pass
            stop.wait(interval)

    watcher = threading.Thread(target=watch, name="command-line watch", daemon=True)
    watcher.start()
    try:
        yield seen
    finally:
        stop.set()
        watcher.join()
