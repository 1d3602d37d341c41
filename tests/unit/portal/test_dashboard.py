"""The operator dashboard's pure parts: an hour of lag history, the groups' panels and the dead letters' tally."""

import asyncio

from aiokafka import ConsumerRecord, TopicPartition

from services.portal.dashboard.history import LagHistory
from services.portal.dashboard.letter_tally import DeadLetterTally
from services.portal.dashboard.sampling import UNWATCHED_INTERVAL, WATCHED_FOR, Pace
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


DLQ = "declarations.inbound.dlq"


def _letter(offset: int, reason: str, at_ms: int, partition: int = 0) -> ConsumerRecord:
    headers = [("accordeer-reason-code", reason.encode())] if reason else []
    return ConsumerRecord(DLQ, partition, offset, at_ms, 0, b"k", b"{}", None, 1, 2, headers)


def _tally(*records: ConsumerRecord) -> DeadLetterTally:
    tally = DeadLetterTally({DLQ: "declarations.inbound", "workflow.actions.dlq": "workflow.actions"})
    tally.add(records)
    tally.caught_up()
    return tally


def test_dead_letters_counted_per_reason_and_the_newest_first_without_keeping_their_bodies():
    tally = _tally(
        _letter(0, "invalid_json", 3000),
        _letter(1, "unknown_destination", 1000),
        _letter(2, "invalid_json", 2000),
        _letter(0, "", 4000, partition=1),
    )
    inbound, actions = tally.shown()
    assert (inbound.topic, inbound.replay_to, inbound.count) == (DLQ, "declarations.inbound", 4)
    assert inbound.reasons == [("invalid_json", 2), ("unknown_destination", 1), ("onbekend", 1)]
    assert [d.ref for d in inbound.newest] == ["1:0", "0:0", "0:2", "0:1"]
    assert inbound.newest[0].dead_lettered_at.isoformat() == "1970-01-01T00:00:04+00:00"
    assert not hasattr(inbound.newest[0], "value")
    assert (actions.count, actions.reasons, actions.newest) == (0, [], [])


def test_the_page_lists_only_the_ten_newest_of_many():
    tally = _tally(*(_letter(n, "invalid_json", 1000 + n) for n in range(1000)))
    [inbound, _] = tally.shown()
    assert inbound.count == 1000 and inbound.reasons == [("invalid_json", 1000)]
    assert [d.offset for d in inbound.newest] == list(range(999, 989, -1))


def test_letters_removed_by_retention_leave_the_counts():
    tally = _tally(*(_letter(n, "invalid_json", 1000 + n) for n in range(5)), _letter(0, "x", 1, partition=1))
    tally.forget_before({TopicPartition(DLQ, 0): 3, TopicPartition(DLQ, 1): 0})
    [inbound, _] = tally.shown()
    assert inbound.count == 3 and [d.ref for d in inbound.newest] == ["0:4", "0:3", "1:0"]


def test_a_reading_started_over_shows_the_last_tally_until_it_has_caught_up_again():
    tally = _tally(_letter(0, "invalid_json", 1000), _letter(1, "invalid_json", 1001))
    tally.start_over()
    tally.add([_letter(0, "invalid_json", 1000)])
    assert tally.shown()[0].count == 2
    tally.add([_letter(1, "invalid_json", 1001), _letter(2, "invalid_json", 1002)])
    tally.caught_up()
    assert tally.shown()[0].count == 3


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


def test_the_sampler_keeps_the_pages_pace_only_while_someone_looks():
    now = [1000.0]
    pace = Pace(15.0, clock=lambda: now[0])
    assert pace.current == UNWATCHED_INTERVAL
    pace.shown()
    assert pace.current == 15.0
    now[0] += WATCHED_FOR - 1
    assert pace.current == 15.0
    now[0] += 2
    assert pace.current == UNWATCHED_INTERVAL


async def test_a_look_after_a_quiet_spell_samples_at_once_and_a_look_while_watched_does_not():
    pace = Pace(0.05)
    waiting = asyncio.create_task(pace.until_due(pace.clock()))
    await asyncio.sleep(0.2)
    assert not waiting.done()  # unwatched: a minute, not 0.05 s
    pace.shown()
    await asyncio.wait_for(waiting, 1)
    started = pace.clock()
    pace.shown()  # already watched: the next sample keeps its time
    await pace.until_due(started)
    assert pace.clock() - started >= 0.05
