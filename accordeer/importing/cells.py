"""Cell values by what they mean, whichever program wrote the file.

Excel and LibreOffice rewrite cells when they save: a date typed as text comes back as a date cell or in another
notation, "27" becomes a number, and a leading apostrophe that forced text may be kept in the value. Here a cell
is read for what it means: text trimmed, numbers as numbers, dates as instants in Dutch time.
"""

import re
import unicodedata
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from accordeer.importing.phrases import DUTCH_DATES, Phrase

DUTCH_TIME = ZoneInfo("Europe/Amsterdam")
_ISO_WITH_ZONE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)")
_DAYS = [f"%d{sep}%m{sep}{year}" for sep in "-/." for year in ("%Y", "%y")]
_NOTATIONS = [day + clock for day in ("%Y-%m-%d", *_DAYS) for clock in (" %H:%M:%S", " %H:%M", "")] + [
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
]
_WHOLE = re.compile(r"-?(0|[1-9]\d*)")
_DECIMAL = re.compile(r"-?\d+[.,]\d+")
_THOUSANDS = re.compile(r"-?\d{1,3}(\.\d{3})+")
_DIGITS = re.compile(r"[+-]?\d[\d.,:/ -]*")
_TRUTH = {"waar": True, "true": True, "onwaar": False, "false": False}


class CellProblem(ValueError):
    """A cell that cannot mean what its column needs; the phrase says why and how to fix it."""

    def __init__(self, phrase: Phrase):
        super().__init__(phrase.en)
        self.phrase = phrase


def text(cell: Any) -> str:
    """A cell as the person sees it: a whole number Excel stored as 10045.0 reads as '10045'."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "WAAR" if cell else "ONWAAR"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ")
    if isinstance(cell, (date, time)):
        return cell.isoformat()
    return unicodedata.normalize("NFC", str(cell)).strip()


def code(cell: Any) -> str:
    """A number, id or name: no value of these starts with an apostrophe, so one there only forced text."""
    return text(cell).removeprefix("'").strip()


def words(cell: Any) -> str:
    """Free text ('s-Hertogenbosch keeps its apostrophe), unless the apostrophe forced a number or date to text."""
    value = text(cell)
    rest = value[1:].strip()
    return rest if value.startswith("'") and (_DIGITS.fullmatch(rest) or _is_moment(rest)) else value


def free_value(cell: Any) -> str | int | float | bool:
    """A free field's value: true/false and numbers as such, whether the cell holds them or text spells them."""
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, (int, float)):
        return _whole(cell)
    if isinstance(cell, (datetime, date)):
        return characteristic(cell)
    value = words(cell)
    number = _number(value)
    if number is not None:
        return number
    return _TRUTH.get(value.lower(), value)


def characteristic(cell: Any) -> str:
    """A characteristic's text; a date cell as its ISO date (and time when it has one)."""
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time() else cell.isoformat(timespec="minutes")
    return words(cell)


def moment(cell: Any) -> datetime:
    """A timezone-aware date and time (Dutch time when none is given); raises CellProblem saying how to fix it."""
    if isinstance(cell, datetime):
        return cell if cell.tzinfo else cell.replace(tzinfo=DUTCH_TIME)
    if isinstance(cell, date):
        return datetime.combine(cell, time(), DUTCH_TIME)
    value = code(cell)
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        raise CellProblem(
            Phrase(f"{value!r} is een getal, geen datum; ", f"{value!r} is a number, not a date; ") + DUTCH_DATES
        )
    if _ISO_WITH_ZONE.fullmatch(value):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    for notation in _NOTATIONS:
        try:
            return datetime.strptime(value, notation).replace(tzinfo=DUTCH_TIME)
        except ValueError:
            continue
    if re.search(r"\b[AP]M\b", value, re.IGNORECASE):
        raise CellProblem(
            Phrase(
                f"{value!r} is een Amerikaanse notatie (AM/PM, maand eerst): niet zeker welke dag; ",
                f"{value!r} is in American notation (AM/PM, month first): the day is not certain; ",
            )
            + DUTCH_DATES
        )
    raise CellProblem(Phrase(f"{value!r} is geen datum; ", f"{value!r} is not a date; ") + DUTCH_DATES)


def instant(cell: Any) -> str:
    """The moment a date cell means, in one notation: equal for every way of writing it."""
    return moment(cell).astimezone(UTC).isoformat()


def _is_moment(value: str) -> bool:
    try:
        moment(value)
    except CellProblem:
        return False
    return True


def _number(value: str) -> int | float | None:
    if _WHOLE.fullmatch(value):
        return int(value)
    if _DECIMAL.fullmatch(value) and not _THOUSANDS.fullmatch(value):
        return _whole(float(value.replace(",", ".")))
    return None


def _whole(number: int | float) -> int | float:
    return int(number) if isinstance(number, float) and number.is_integer() else number
