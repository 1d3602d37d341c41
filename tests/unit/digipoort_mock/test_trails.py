"""The status trails as pure data and functions: meaning of codes, timing, and which trail a delivery takes."""

from datetime import UTC, datetime, timedelta

import pytest

from services.digipoort_mock.trails import (
    STATUSES,
    TRAILS,
    TrailRouting,
    UnknownTrail,
    choose_trail,
    outcome_of,
    visible_statuses,
)
from shared.gateway_codes import CODES
from shared.gateway_codes import Meaning as Outcome

RECEIVED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def codes(trail: str, seconds_after_delivery: float, seconds_per_step: float = 1.0) -> list[int]:
    now = RECEIVED + timedelta(seconds=seconds_after_delivery)
    return [timed.status.code for timed in visible_statuses(trail, RECEIVED, now, seconds_per_step)]


@pytest.mark.parametrize(
    ("code", "outcome"),
    [
        (500, Outcome.ACCEPTED),
        (510, Outcome.DECLINED),
        (210, Outcome.FAILED),
        (230, Outcome.FAILED),
        (311, Outcome.DECLINED),
        (321, Outcome.DECLINED),
        (410, Outcome.FAILED),
        (420, Outcome.RETRYING),
        (105, Outcome.PENDING),
        (400, Outcome.PENDING),
    ],
)
def test_outcome_of_each_code(code: int, outcome: Outcome) -> None:
    assert outcome_of(code) is outcome
    assert outcome_of(code).final == (outcome not in (Outcome.PENDING, Outcome.RETRYING))


def test_the_mock_speaks_exactly_the_shared_table_of_codes() -> None:
    assert {code: (s.omschrijving, s.outcome) for code, s in STATUSES.items()} == {
        code: (known.omschrijving, known.meaning) for code, known in CODES.items()
    }
    assert all(s.foutcode for s in STATUSES.values() if s.outcome.final and s.outcome is not Outcome.ACCEPTED)


def test_outcome_of_an_unknown_code_is_an_error() -> None:
    with pytest.raises(ValueError, match="999"):
        outcome_of(999)


@pytest.mark.parametrize("trail", list(TRAILS))
def test_every_trail_ends_in_its_only_final_status(trail: str) -> None:
    outcomes = [step.status.outcome for step in TRAILS[trail]]
    assert outcomes[-1].final
    assert not any(outcome.final for outcome in outcomes[:-1])


def test_happy_trail_shows_one_more_status_per_step() -> None:
    assert codes("500", 0) == [105]
    assert codes("500", 0.99) == [105]
    assert codes("500", 3) == [105, 100, 110, 200]
    assert codes("500", 7) == [105, 100, 110, 200, 301, 405, 400, 500]
    assert codes("500", 3, seconds_per_step=0.5) == [105, 100, 110, 200, 301, 405, 400]


def test_each_status_is_stamped_when_it_appeared() -> None:
    now = RECEIVED + timedelta(seconds=1)
    stamps = [timed.tijdstempel for timed in visible_statuses("500", RECEIVED, now, 0.5)]
    assert stamps == [RECEIVED, RECEIVED + timedelta(seconds=0.5), RECEIVED + timedelta(seconds=1)]


def test_zero_seconds_per_step_shows_the_whole_trail_at_once() -> None:
    assert codes("311", 0, seconds_per_step=0) == [105, 100, 110, 311]


def test_after_420_the_gateway_waits_before_it_delivers_again() -> None:
    assert codes("420", 5)[-1] == 420
    assert codes("420", 7)[-1] == 420
    assert codes("420", 8)[-1] == 405
    assert codes("420", 10) == [105, 100, 110, 200, 301, 420, 405, 400, 500]


def test_a_marker_in_the_content_chooses_the_trail() -> None:
    routing = TrailRouting(default="500", per_berichtsoort={"Omzetbelasting": "410"})
    assert choose_trail(b"<x>MOCK-TRAIL:311</x>", "Omzetbelasting", routing) == "311"


def test_without_a_marker_the_berichtsoort_override_beats_the_default() -> None:
    routing = TrailRouting(default="210", per_berichtsoort={"Omzetbelasting": "410"})
    assert choose_trail(b"<x/>", "Omzetbelasting", routing) == "410"
    assert choose_trail(b"<x/>", "Loonaangifte", routing) == "210"


def test_an_unknown_trail_is_refused_wherever_it_is_named() -> None:
    with pytest.raises(UnknownTrail):
        choose_trail(b"MOCK-TRAIL:999", "Omzetbelasting", TrailRouting())
    with pytest.raises(UnknownTrail):
        TrailRouting(default="happy")
    with pytest.raises(UnknownTrail):
        TrailRouting(per_berichtsoort={"Omzetbelasting": "600"})
