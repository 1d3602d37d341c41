"""The rules a summary configuration can name to fill fields a document does not give (``derive:``)."""

import calendar
from datetime import date
from decimal import Decimal

from shared.contracts.summary import Direction


def sign_of_amount(signed_amount: Decimal) -> Direction:
    """The authorities' totals are signed: positive is to be paid, negative is paid back."""
    if signed_amount > 0:
        return "payable"
    return "receivable" if signed_amount < 0 else "nil"


def one_month_after_period_end(period_to: date) -> date:
    """The day one calendar month after `period_to`; the last day of a month gives the last day of the next.

    "Binnen een maand na het einde van het tijdvak": a month ending 31 January is due 28 (29)
    February, a four-week period ending 23 March is due 23 April.
    """
    year, month = (period_to.year + 1, 1) if period_to.month == 12 else (period_to.year, period_to.month + 1)
    last_day = calendar.monthrange(year, month)[1]
    month_end = period_to.day == calendar.monthrange(period_to.year, period_to.month)[1]
    return date(year, month, last_day if month_end else min(period_to.day, last_day))


def years_of_period(period_from: date, period_to: date) -> str:
    """'2024' for a calendar-year financial year, '2024/2025' for one across two years."""
    if period_from.year == period_to.year:
        return str(period_to.year)
    return f"{period_from.year}/{period_to.year}"
