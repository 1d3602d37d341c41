"""A small chaos run inside `make test`: 100 declarations on a three-broker cluster of its own while a service
process is killed, a broker is killed and restarted, a relay leader is frozen and the gateway forgets everything.

It starts its own cluster, PostgreSQL and services on free ports, so it does not need (nor disturb) the session's
Kafka; tests/chaos is collected before tests/e2e, so it runs before the session's broker is started at all. A
failed run keeps its logs and data under .cache/chaos/test-runs (pytest's tmp folders are rotated away).
"""

import shutil

import pytest

from accordeer.chaos.report import text
from accordeer.chaos.run import ChaosSettings, run
from accordeer.connect import CACHE_DIR

pytestmark = pytest.mark.e2e


async def test_nothing_is_lost_doubled_or_out_of_order_under_faults():
    work_dir = CACHE_DIR / "chaos" / "test-runs"
    report = await run(
        ChaosSettings(declarations=100, rate=10, small=True, drain_timeout=120, seed=3, work_dir=work_dir)
    )
    faults = {f.name: f.note for f in report.faults}
    assert len(faults) == 5 and not any(note.startswith("FAILED") for note in faults.values()), faults
    assert report.timings["drained"], text(report)
    assert report.ok, text(report)
    shutil.rmtree(work_dir / report.run_id, ignore_errors=True)
