"""LagMonitor: sliding windows per partition over a fake source, no broker."""

import pytest

from shared.lag import LagMonitor, Status, product_groups
from shared.topics import Topics
from tests.unit.lag.samples import sample


class ScriptedSource:
    """Answers each sample() with the next scripted list of samples."""

    def __init__(self, *rounds):
        self.rounds = list(rounds)
        self.asked = []

    async def sample(self, groups):
        self.asked.append(dict(groups))
        return self.rounds.pop(0)


GROUPS = {"g": ("t",)}


def _round(at, *points, members=1):
    return [
        sample(at, end, committed, partition=p, members=members, group="g", topic="t")
        for p, (end, committed) in enumerate(points)
    ]


async def test_the_window_slides_and_keeps_the_last_n_samples():
    source = ScriptedSource(_round(0, (50, 10)), _round(10, (60, 10)), _round(20, (70, 20)), _round(30, (80, 30)))
    monitor = LagMonitor(source, GROUPS, window=2, clock=lambda: 99.0)
    statuses = [(await monitor.sample()).group("g").partitions[0] for _ in range(4)]
    assert [s.samples for s in statuses] == [1, 2, 2, 2]
    assert [s.status for s in statuses] == [Status.OK, Status.STALL, Status.WARN, Status.WARN]
    assert source.asked == [GROUPS] * 4


async def test_partitions_no_longer_sampled_are_forgotten():
    source = ScriptedSource(_round(0, (5, 0), (5, 0)), _round(10, (5, 0)))
    monitor = LagMonitor(source, GROUPS, window=3)
    await monitor.sample()
    report = await monitor.sample()
    assert [p.latest.partition for p in report.group("g").partitions] == [0]


async def test_every_configured_group_is_in_the_report_even_without_partitions():
    monitor = LagMonitor(ScriptedSource([]), {"g": ("t",), "h": ("u",)}, window=3, clock=lambda: 5.0)
    report = await monitor.sample()
    assert [g.group for g in report.groups] == ["g", "h"]
    assert report.at == 5.0
    assert report.group("h").partitions == ()


async def test_fill_takes_a_whole_window_interval_apart():
    source = ScriptedSource(_round(0, (50, 10)), _round(1, (50, 20)), _round(2, (50, 30)))
    report = await LagMonitor(source, GROUPS, window=3).fill(interval=0)
    [status] = report.group("g").partitions
    assert (status.samples, status.status, status.latest.lag) == (3, Status.OK, 20)
    assert source.rounds == []


async def test_watch_yields_a_report_per_sample():
    source = ScriptedSource(_round(0, (50, 10)), _round(1, (50, 10), members=0))
    reports = []
    async for report in LagMonitor(source, GROUPS, window=5).watch(interval=0):
        reports.append(report.group("g").status)
        if len(reports) == 2:
            break
    assert reports == [Status.OK, Status.STOP]


def test_a_window_holds_at_least_one_sample():
    with pytest.raises(ValueError):
        LagMonitor(ScriptedSource(), GROUPS, window=0)


def test_the_product_groups_and_what_they_read():
    assert product_groups(Topics("acme.")) == {
        # every source's own inbound topic too: the sampler reads whichever exist
        "acme.accordeer-intake": (
            "acme.declarations.inbound",
            "acme.declarations.from.*",
            "acme.workflow.setup.outcomes",
        ),
        "acme.accordeer-workflow": (
            "acme.dossier.items",
            "acme.workflow.actions",
            "acme.workflow.actions.from.*",
            "acme.workflow.setup",
            "acme.workflow.setup.from.*",
        ),
        "acme.accordeer-dispatch": ("acme.messages.approved",),
        "acme.accordeer-notifier": ("acme.workflow.tasks",),
        "acme.accordeer-portal": (
            "acme.dossier.items",
            "acme.messages.status",
            "acme.workflow.tasks",
            "acme.workflow.setup.outcomes",
        ),
        "acme.accordeer-status_api": ("acme.messages.status", "acme.declarations.refused"),
    }
