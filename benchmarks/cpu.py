"""CPU time per process from /proc: what each part of the stack burned while a phase ran.

A process's figure is utime+stime of it and its live descendants, plus what they already reaped (cutime+cstime),
so PostgreSQL's backends count even when their connection closed during the phase. Linux only.
"""

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Stat:
    ppid: int
    own: int
    """utime + stime, in clock ticks."""
    reaped: int
    """cutime + cstime: the children this process has waited for."""


def parse_stat(text: str) -> Stat:
    """One /proc/<pid>/stat line; the command name in parentheses may itself hold spaces and parentheses."""
    fields = text[text.rindex(")") + 2 :].split()
    # fields[0] is field 3 of proc(5) (state): ppid is field 4, utime..cstime are fields 14-17.
    return Stat(ppid=int(fields[1]), own=int(fields[11]) + int(fields[12]), reaped=int(fields[13]) + int(fields[14]))


def read_stats(proc: Path = PROC) -> dict[int, Stat]:
    stats = {}
    for entry in proc.iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):  # gone while we looked
                stats[int(entry.name)] = parse_stat((entry / "stat").read_text())
    return stats


def tree_ticks(stats: dict[int, Stat], root: int) -> int:
    children: dict[int, list[int]] = {}
    for pid, stat in stats.items():
        children.setdefault(stat.ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += stats[pid].own + stats[pid].reaped
            todo += children.get(pid, [])
    return total


def sample(roots: dict[str, list[int]], own_only: frozenset[str] = frozenset()) -> dict[str, int]:
    """Clock ticks per named group of process trees; a name in ``own_only`` counts its processes without their
    children (the bench itself, whose children are the services and the broker)."""
    stats = read_stats()
    return {
        name: sum(stats[pid].own if name in own_only else tree_ticks(stats, pid) for pid in pids if pid in stats)
        for name, pids in roots.items()
    }


def per_declaration_ms(before: dict[str, int], after: dict[str, int], declarations: int) -> dict[str, float]:
    """Milliseconds of CPU each group spent per declaration between two samples."""
    return {name: (after[name] - before.get(name, 0)) * 1000 / TICKS / declarations for name in after}


def listener_pid(port: int, proc: Path = PROC) -> int | None:
    """The process listening on TCP ``port`` (the local Kafka broker), found by its socket's inode."""
    inodes = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (proc / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(f"socket:[{parts[9]}]")
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) in inodes for fd in (entry / "fd").iterdir()):
                return int(entry.name)
        except OSError:
            continue
    return None


def parent_pid(pid: int, proc: Path = PROC) -> int | None:
    try:
        return parse_stat((proc / str(pid) / "stat").read_text()).ppid
    except OSError:
        return None
