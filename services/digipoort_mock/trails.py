"""Status trails: which Digipoort statuses a delivery passes through, and when each becomes visible.

Pure: no HTTP, no settings, no clock of its own. A trail is named after the status code that makes
it special ("500" is the happy path); `choose_trail` decides which trail a delivery takes.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shared.gateway_codes import CODES, Meaning, meaning_of


@dataclass(frozen=True)
class Status:
    code: int
    omschrijving: str
    outcome: Meaning = Meaning.PENDING
    foutcode: str | None = None
    foutbeschrijving: str | None = None


# The error the mock shows with each failing code; what a code means comes from shared.gateway_codes.
_FOUTEN = {
    210: ("ATH0001", "Het certificaat is niet geldig voor deze belanghebbende."),
    230: ("ATH0002", "De aanleveraar is niet gemachtigd voor deze belanghebbende en berichtsoort."),
    311: ("VAL0001", "Het bericht voldoet niet aan de taxonomie van de berichtsoort."),
    321: ("VAL0002", "Het bericht hoort niet bij de opgegeven berichtsoort."),
    410: ("AFL0001", "De uitvragende partij was niet bereikbaar; het afleveren is gestaakt."),
    420: ("AFL0002", "Tijdelijke storing bij de uitvragende partij."),
    510: ("UP100001", "De aangifte is niet verwerkt: het fiscaal nummer hoort niet bij de berichtsoort."),
}
STATUSES: Mapping[int, Status] = {
    code: Status(code, known.omschrijving, known.meaning, *_FOUTEN.get(code, (None, None)))
    for code, known in CODES.items()
}


def outcome_of(code: int) -> Meaning:
    """Whether a status code is final, and what it means for the sender (shared.gateway_codes)."""
    return meaning_of(code)


@dataclass(frozen=True)
class Step:
    status: Status
    at_step: int
    """How many steps after delivery this status appears."""


Trail = tuple[Step, ...]


def _spaced(*codes: int, start: int = 0) -> Trail:
    return tuple(Step(STATUSES[code], start + index) for index, code in enumerate(codes))


# After a 420 the real gateway waits a while before it tries to deliver again.
GATEWAY_RETRY_STEPS = 3

TRAILS: Mapping[str, Trail] = {
    "500": _spaced(105, 100, 110, 200, 301, 405, 400, 500),
    "210": _spaced(105, 100, 210),
    "230": _spaced(105, 100, 110, 230),
    "311": _spaced(105, 100, 110, 311),
    "321": _spaced(105, 100, 110, 321),
    "410": _spaced(105, 100, 110, 200, 301, 410),
    "420": _spaced(105, 100, 110, 200, 301, 420) + _spaced(405, 400, 500, start=5 + GATEWAY_RETRY_STEPS),
    "510": _spaced(105, 100, 110, 200, 301, 405, 400, 510),
}
HAPPY_TRAIL = "500"


@dataclass(frozen=True)
class TimedStatus:
    status: Status
    tijdstempel: datetime


def visible_statuses(trail: str, received_at: datetime, now: datetime, seconds_per_step: float) -> list[TimedStatus]:
    """The statuses of `trail` that have appeared by `now`, each stamped with the moment it appeared."""
    timed = (
        TimedStatus(step.status, received_at + timedelta(seconds=step.at_step * seconds_per_step))
        for step in TRAILS[trail]
    )
    return [status for status in timed if status.tijdstempel <= now]


class UnknownTrail(ValueError):
    pass


def check_trail(name: str) -> str:
    if name not in TRAILS:
        raise UnknownTrail(f"onbekend mock-trail {name!r}; bekend zijn {', '.join(TRAILS)}")
    return name


MARKER = re.compile(rb"MOCK-TRAIL:(\w+)")


@dataclass(frozen=True)
class TrailRouting:
    """Which trail a delivery takes when its content carries no marker."""

    default: str = HAPPY_TRAIL
    per_berichtsoort: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_trail(self.default)
        for trail in self.per_berichtsoort.values():
            check_trail(trail)


def choose_trail(content: bytes, berichtsoort: str, routing: TrailRouting) -> str:
    """A marker in the content wins, then the berichtsoort's override, then the default."""
    marker = MARKER.search(content)
    if marker:
        return check_trail(marker.group(1).decode("ascii", errors="replace"))
    return routing.per_berichtsoort.get(berichtsoort, routing.default)
