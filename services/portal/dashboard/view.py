"""What the page shows of each consumer group: its status, lag, throughput and two charts of the last hour.

Pure: built from the ``LagHistory``; the figures are the ones ``accordeer lag``
prints (the same ``GroupLag``), in Dutch words around them.
"""

from dataclasses import dataclass

from babel.numbers import format_decimal
from markupsafe import Markup

from services.portal.dashboard.chart import line_chart
from services.portal.dashboard.history import LagHistory
from services.portal.i18n import N_, translations
from shared.lag import GroupLag, Status
from shared.lag.render import duration

MEANING = {
    Status.OK: N_("bij of haalt in"),
    Status.WARN: N_("achterstand groeit terwijl er verwerkt wordt"),
    Status.STALL: N_("verwerkt niets, terwijl er berichten wachten"),
    Status.STOP: N_("niemand in de groep om te verwerken"),
}


@dataclass(frozen=True)
class GroupPanel:
    group: str
    status: str
    meaning: str
    reason: str
    """The worst partition's reason, as ``accordeer lag`` gives it."""
    lag: int
    time_lag: str
    consumed: str
    produced: str
    drain: str
    records_chart: Markup
    seconds_chart: Markup


def panels(history: LagHistory, language: str = "nl") -> list[GroupPanel]:
    """Each group's panel, its charts' words and figures in ``language``."""
    report = history.latest
    if report is None:
        return []
    return [_panel(group, history, report.at, language) for group in report.groups]


def _panel(group: GroupLag, history: LagHistory, now: float, language: str) -> GroupPanel:
    _ = translations(language).gettext
    points = history.points(group.group)
    worst = max(group.partitions, key=lambda p: (p.status.severity, p.latest.lag), default=None)
    drain = group.drain_seconds
    return GroupPanel(
        group=group.group,
        status=str(group.status),
        meaning=MEANING[group.status],
        reason=worst.reason if worst else "geen partities",
        lag=group.lag,
        time_lag=duration(group.time_lag),
        consumed=_rate(group.consume_rate, language),
        produced=_rate(group.produce_rate, language),
        drain=N_("nooit, bij dit tempo") if drain is None else duration(drain),
        records_chart=line_chart(
            [(p.at, p.lag) for p in points],
            now=now,
            span=history.shown_span(),
            label=_("Achterstand van %(group)s in berichten, afgelopen uur") % {"group": group.group},
            css_class=str(group.status).lower(),
            now_label=_("nu"),
        ),
        seconds_chart=line_chart(
            [(p.at, p.time_lag) for p in points],
            now=now,
            span=history.shown_span(),
            label=_("Achterstand van %(group)s in seconden, afgelopen uur") % {"group": group.group},
            css_class=str(group.status).lower(),
            now_label=_("nu"),
        ),
    )


def _rate(per_second: float, language: str) -> str:
    return format_decimal(per_second, format="0.0", locale=language) + "/s"
