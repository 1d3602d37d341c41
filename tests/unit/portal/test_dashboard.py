"""The operator dashboard's pure parts: an hour of lag history, the groups' panels and the dead-letter counts."""

from accordeer.dead_letter_tools import DeadLetter
from services.portal.dashboard.figures import DeadLetterTopic
from services.portal.dashboard.history import LagHistory
from services.portal.dashboard.view import panels
from shared.lag import GroupLag, LagReport, evaluate
from tests.unit.lag.samples import sample

WORKFLOW = "accordeer-workflow"


def report(at: float, *groups: tuple[str, int, int, int]) -> LagReport:
    """(group, end, committed, members) per group, one partition each."""
    return LagReport(
        at=at,
        groups=tuple(
            GroupLag(g, (evaluate([sample(at, end, committed, members=members, group=g, oldest=at - 30)]),))
            for g, end, committed, members in groups
        ),
    )


def test_the_history_keeps_one_hour_per_group():
    history = LagHistory(span=3600)
    for minute in range(0, 90, 10):
        history.add(report(minute * 60.0, (WORKFLOW, minute, 0, 1)))
    points = history.points(WORKFLOW)
    assert [p.at for p in points] == [m * 60.0 for m in range(20, 90, 10)]
    assert [p.lag for p in points] == list(range(20, 90, 10))
    assert history.points("unknown-group") == []


def test_a_failed_sample_is_shown_until_the_next_good_one():
    history = LagHistory()
    history.add(report(1.0, (WORKFLOW, 0, 0, 1)))
    history.failed("KafkaConnectionError: no broker")
    assert history.error == "KafkaConnectionError: no broker" and history.latest is not None
    history.add(report(2.0, (WORKFLOW, 0, 0, 1)))
    assert history.error is None


def test_a_panel_per_group_with_its_status_lag_and_charts():
    history = LagHistory()
    history.add(report(1000.0, (WORKFLOW, 7, 2, 0), ("accordeer-dispatch", 3, 3, 1)))
    stopped, caught_up = panels(history)
    assert (stopped.group, stopped.status, stopped.lag, stopped.time_lag) == (WORKFLOW, "STOP", 5, "30s")
    assert stopped.meaning == "niemand in de groep om te verwerken"
    assert stopped.drain == "nooit, bij dit tempo"
    assert "no consumer in the group" in stopped.reason
    assert 'class="chart stop"' in stopped.records_chart and "<circle" in stopped.seconds_chart
    assert (caught_up.status, caught_up.lag, caught_up.drain, caught_up.consumed) == ("OK", 0, "0s", "0,0/s")


def test_no_panels_before_the_first_sample():
    assert panels(LagHistory()) == []


def _letter(offset: int, reason: str, at_ms: int) -> DeadLetter:
    return DeadLetter("declarations.inbound.dlq", 0, offset, at_ms, b"k", b"{}", {"accordeer-reason-code": reason})


def test_dead_letters_counted_per_reason_and_the_newest_first():
    topic = DeadLetterTopic(
        "declarations.inbound.dlq",
        "declarations.inbound",
        (
            _letter(0, "invalid_json", 3000),
            _letter(1, "unknown_destination", 1000),
            _letter(2, "invalid_json", 2000),
            _letter(3, "", 4000),
        ),
    )
    assert topic.reasons == [("invalid_json", 2), ("unknown_destination", 1), ("onbekend", 1)]
    assert [d.offset for d, _ in topic.newest(3)] == [3, 0, 2]
    assert topic.newest(1)[0][1].isoformat() == "1970-01-01T00:00:04+00:00"


def test_the_charts_cover_the_time_since_the_first_sample_until_there_is_an_hour():
    history = LagHistory(span=3600)
    assert history.shown_span() == 60
    history.add(report(1000.0, (WORKFLOW, 0, 0, 1)))
    history.add(report(1030.0, (WORKFLOW, 0, 0, 1)))
    assert history.shown_span() == 60
    history.add(report(1600.0, (WORKFLOW, 0, 0, 1)))
    assert history.shown_span() == 600
    for at in range(2200, 9001, 600):
        history.add(report(float(at), (WORKFLOW, 0, 0, 1)))
    assert history.shown_span() == 3600
