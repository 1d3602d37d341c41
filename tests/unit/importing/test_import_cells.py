"""Cells by what they mean: text, codes with Excel's forcing apostrophe taken off, numbers, truth values, dates."""

from datetime import date, datetime

import pytest

from accordeer.importing.cells import CellProblem, characteristic, code, free_value, instant, text, words


def test_text_is_trimmed_and_whole_floats_are_whole_numbers():
    assert text("  Btw  ") == "Btw" and text(10045.0) == "10045" and text(None) == "" and text(1.5) == "1.5"


def test_a_forcing_apostrophe_goes_from_codes_always_and_from_words_only_before_numbers_and_dates():
    assert code("'NL001234567B01") == "NL001234567B01"
    assert words("'0012345678") == "0012345678" and words("'2025-01") == "2025-01"
    assert words("'s-Hertogenbosch") == "'s-Hertogenbosch" and words("'t Zand") == "'t Zand"


def test_free_values_are_typed_whether_cell_or_text():
    assert [free_value(v) for v in ("27", 27.0, "27,5", "-3", "waar", "ONWAAR", True)] == [
        27,
        27,
        27.5,
        -3,
        True,
        False,
        True,
    ]
    assert [free_value(v) for v in ("0123", "1.234", "27 stuks")] == ["0123", "1.234", "27 stuks"]


def test_date_cells_in_characteristics_read_as_iso():
    assert characteristic(datetime(2025, 1, 1)) == "2025-01-01"
    assert characteristic(datetime(2025, 1, 1, 9, 30)) == "2025-01-01T09:30"
    assert free_value(date(2025, 1, 31)) == "2025-01-31"


@pytest.mark.parametrize("written", [45691.395833, "31-02-2025", "morgen", "2025-13-01"])
def test_what_is_no_date_is_refused_with_dutch_advice(written):
    with pytest.raises(CellProblem) as refused:
        instant(written)
    assert "dag-maand-jaar" in refused.value.phrase.nl and "day-month-year" in refused.value.phrase.en
