"""Cell values as the import reads them: text, and dates in Dutch or ISO notation (Dutch time when none is given)."""

import re
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

DUTCH_TIME = ZoneInfo("Europe/Amsterdam")
_FORMATS = ("%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y",
            "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


def text(cell: Any) -> str:
    """A cell as text; a whole number Excel stored as 10045.0 reads as '10045'."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ")
    return str(cell).strip()


def moment(cell: Any) -> datetime:
    """A timezone-aware date and time; raises ValueError with the accepted notations."""
    if isinstance(cell, datetime):
        return cell if cell.tzinfo else cell.replace(tzinfo=DUTCH_TIME)
    if isinstance(cell, date):
        return datetime.combine(cell, time(), DUTCH_TIME)
    value = text(cell)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)", value):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    for notation in _FORMATS:
        try:
            return datetime.strptime(value, notation).replace(tzinfo=DUTCH_TIME)
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a date; give e.g. 03-02-2025 09:30 or 2025-02-03 09:30")
