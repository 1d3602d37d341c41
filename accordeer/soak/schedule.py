"""The soak's faults: the chaos run's kinds in a cycle, one every few minutes for as long as the soak lasts.

Only the "b" process of each service is ever killed. The "a" processes live the whole soak, so their memory can be
judged over its last forty minutes; a process killed every few minutes would never show a leak.
"""

from accordeer.chaos.faults import Faults, Schedule
from accordeer.chaos.proxy import ProxyKnobs

CYCLE = [
    ("SIGKILL intake-b", lambda f: f.kill_service("intake", "b")),
    ("broker SIGKILL + restart", lambda f: f.kill_broker(1)),
    ("SIGSTOP relay leader of dispatch", lambda f: f.freeze_relay_leader("dispatch")),
    ("gateway outage", lambda f: f.gateway_faults(20, outage=True)),
    ("SIGKILL workflow-b", lambda f: f.kill_service("workflow", "b")),
    ("PostgreSQL restart", lambda f: f.restart_postgres()),
    ("broker disk lost, rejoins empty", lambda f: f.lose_broker_disk(0)),
    ("rebalance workflow +1", lambda f: f.rebalance("workflow", 60)),
    ("SIGKILL dispatch-b", lambda f: f.kill_service("dispatch", "b")),
    ("gateway restart (memory lost)", lambda f: f.restart_gateway()),
    ("broker link lossy", lambda f: f.broker_link(30, ProxyKnobs(latency_ms=20, drop_rate=0.02))),
    ("SIGSTOP relay leader of workflow", lambda f: f.freeze_relay_leader("workflow")),
    ("broker clean restart", lambda f: f.restart_broker(2)),
    ("gateway latency", lambda f: f.gateway_faults(30, latency_ms=1500, latency_jitter_ms=1000)),
    ("rebalance dispatch +1", lambda f: f.rebalance("dispatch", 60)),
    ("SIGSTOP relay leader of intake", lambda f: f.freeze_relay_leader("intake")),
]


def every(window: float, interval: float) -> Schedule:
    """A fault every ``interval`` seconds of a ``window``-second run, the first after one interval, the last at
    least two intervals before its end (the soak's last minutes show how it settles)."""
    schedule: Schedule = []
    at = interval
    while at <= window - 2 * interval:
        name, action = CYCLE[len(schedule) % len(CYCLE)]
        schedule.append((at / window, name, action))
        at += interval
    return schedule


__all__ = ["CYCLE", "Faults", "every"]
