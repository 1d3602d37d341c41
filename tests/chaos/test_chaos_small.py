"""A small chaos run inside `make test`: 250 declarations on a three-broker cluster of its own while a service
process is killed, a broker is killed and restarted, a relay leader is frozen and the gateway forgets everything.

It starts its own cluster, PostgreSQL and services on free ports, so it does not need (nor disturb) the session's
Kafka; tests/chaos is collected before tests/e2e, so it runs before the session's broker is started at all.
"""

import pytest

from accordeer.chaos.report import text
from accordeer.chaos.run import ChaosSettings, run

pytestmark = pytest.mark.e2e


async def test_nothing_is_lost_doubled_or_out_of_order_under_faults(tmp_path):
    report = await run(ChaosSettings(declarations=250, rate=10, small=True, drain_timeout=120, seed=3,
                                     work_dir=tmp_path))
    faults = {f.name: f.note for f in report.faults}
    assert len(faults) == 5 and not any(note.startswith("FAILED") for note in faults.values()), faults
    assert report.timings["drained"], text(report)
    assert report.ok, text(report)
