"""The chaos table renders a failing run with its evidence, and its JSON holds every finding and stream."""

import json
from collections import Counter

from accordeer.chaos.checker import Event, Expectation, check
from accordeer.chaos.faults import FaultRecord
from accordeer.chaos.report import text, write_json
from accordeer.chaos.run import RunReport


def _report() -> RunReport:
    events = [
        Event("e1", "m1", 10),
        Event("e2", "m1", 20, "item-1"),
        Event("e3", "m1", 30, "item-1"),
        Event("e4", "m1", 60, "item-1", detail="delivered"),
        Event("e5", "m1", 50, "item-1"),
    ]
    expectations = {"m1": Expectation("m1", registered=True, items=1, outcome=80)}
    verdict = check(expectations, {"m1": events}, dead_letters=Counter())
    return RunReport(
        settings={"declarations": 1, "seed": 1, "rate": 1.0},
        run_id="r1",
        verdict=verdict,
        expectations=expectations,
        submissions={"valid": 1},
        faults=[FaultRecord("x", 1.0, 2.0, "ok")],
        gateway={"aanleverkenmerken": 0, "attempts": 0, "lifetimes": 1},
        timings={"drained": False},
        streams={"m1": events},
    )


def test_a_failing_run_shows_its_verdict_findings_faults_and_evidence():
    shown = text(_report())
    assert "FAIL" in shown and "30 → 60 is not an allowed transition" in shown and "TIMED OUT" in shown
    assert "x: ok" in shown and "delivered" in shown


def test_the_json_holds_the_table_findings_and_streams(tmp_path):
    document = json.loads(write_json(_report(), tmp_path).read_text())
    assert document["ok"] is False and document["table"]["verdict"] == "FAIL"
    assert len(document["findings"]) == 3 and document["streams"]["m1"][3]["status_code"] == 60
