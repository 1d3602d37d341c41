"""Amounts, dates and directions as a Dutch reader expects them: "€ 1.523,45", "31 maart 2025", "te betalen"."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
DIRECTIONS = {"payable": "te betalen", "receivable": "terug te ontvangen", "nil": "niets te betalen of te ontvangen"}
CURRENCY_SIGNS = {"EUR": "€"}
OFFICE_TIME = ZoneInfo("Europe/Amsterdam")


def amount(value: Decimal, currency: str | None = "EUR") -> str:
    """Thousands with dots, cents after a comma, the sign (or ISO code) in front: € 1.523,45."""
    cents = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    digits = f"{cents:,.2f}".translate(str.maketrans(",.", ".,"))
    return f"{CURRENCY_SIGNS.get(currency or 'EUR', currency)} {digits}"


def day(value: date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def moment(value: datetime) -> str:
    """A point in time on the office's clock: 3 april 2025 om 09:00."""
    local = value.astimezone(OFFICE_TIME)
    return f"{day(local.date())} om {local:%H:%M}"


def period(start: date | None, end: date | None) -> str | None:
    if start and end:
        return f"{day(start)} t/m {day(end)}"
    either = start or end
    return day(either) if either else None


def direction(value: str | None) -> str | None:
    return DIRECTIONS.get(value, value) if value else None
