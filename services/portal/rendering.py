"""Jinja filters for the pages: Dutch amounts and dates, status names, what a history line says."""

from datetime import date, datetime
from decimal import Decimal

from shared import dutch
from shared.contracts.status import StatusCode

STATUS_NL = {0: "Geweigerd", 10: "Geregistreerd", 20: "In behandeling", 30: "In workflow", 40: "Afgekeurd",
             50: "Klaar voor verzending", 60: "Verzonden", 70: "Verzendfout", 80: "Geaccepteerd door instantie",
             90: "Afgewezen door instantie"}
MESSAGE_TYPES_NL = {"btw-aangifte": "Btw-aangifte", "btw-suppletieaangifte": "Suppletie btw",
                    "icp-aangifte": "ICP-opgaaf", "loonheffing": "Loonaangifte", "kvk-stukken": "KvK-deponering"}


def amount(value, currency: str | None = "EUR") -> str:
    return dutch.amount(Decimal(str(value)), currency) if value is not None else ""


def day(value) -> str:
    if value in (None, ""):
        return ""
    return dutch.day(value if isinstance(value, date) else date.fromisoformat(str(value)))


def moment(value: datetime | None) -> str:
    return dutch.moment(value) if value else ""


def status(code: int | None) -> str:
    return STATUS_NL.get(code, StatusCode(code).label if code is not None else "")


def add_filters(env) -> None:
    env.filters.update(amount=amount, day=day, moment=moment, status=status,
                       direction=lambda value: dutch.direction(value) or "",
                       message_type=lambda t: MESSAGE_TYPES_NL.get(t, t or ""))
