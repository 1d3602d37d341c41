"""Reading py-spy's folded stacks: self and total shares per function, files without their folders."""

from benchmarks.profile import folded_shares, report

FOLDED = """<module> (run.py:1);main (app.py:10);_post (gateway.py:80) 30
<module> (run.py:1);main (app.py:10);mark_sent (repository.py:200) 10
<module> (run.py:1);main (/x/y/app.py:12) 10
"""


def test_self_and_total_samples_per_function():
    own, total, samples = folded_shares(FOLDED)
    assert samples == 50
    assert own.most_common(1) == [("_post (gateway.py)", 30)]
    assert total["main (app.py)"] == 50 and own["main (app.py)"] == 10


def test_the_report_lists_shares():
    text = report("dispatch", FOLDED)
    assert text.splitlines()[0] == "dispatch: 50 samples"
    assert " 60.0%" in text and "_post (gateway.py)" in text
