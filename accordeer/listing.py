"""What the list commands share: --limit (saying how many were left out), --since (a duration or a time), --json."""

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Annotated, TypeVar

import typer

T = TypeVar("T")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

Limit = Annotated[int, typer.Option(min=1, help="Show at most this many (the newest).")]
Since = Annotated[
    str | None,
    typer.Option(help="Only from then on: a duration back from now (10m, 2h, 1d) or an ISO time (2026-03-01T09:00)."),
]
AsJson = Annotated[bool, typer.Option("--json", help="A JSON list instead of a table.")]


def since_time(text: str | None, now: datetime | None = None) -> datetime | None:
    """The moment ``text`` names: a duration before ``now``, or an ISO time (UTC unless it says otherwise)."""
    if text is None:
        return None
    if match := re.fullmatch(r"\s*(\d+)\s*([smhdw])\s*", text.lower()):
        return (now or datetime.now(UTC)) - timedelta(**{UNITS[match[2]]: int(match[1])})
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"--since '{text}' is neither a duration (like 10m, 2h, 1d) nor an ISO time (like 2026-03-01T09:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def newest(rows: Sequence[T], limit: int) -> tuple[list[T], str]:
    """The last ``limit`` of ``rows`` (oldest first), and a line saying how many were left out ("" if none)."""
    left_out = max(0, len(rows) - limit)
    return list(rows[left_out:]), f"{left_out} more; use --limit to see them" if left_out else ""
