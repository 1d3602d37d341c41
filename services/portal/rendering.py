"""The pages' Jinja environment per language: gettext from the catalogs, and amounts, dates, status names and
history lines as a reader of that language expects them ("€ 1.523,45", "31 maart 2025" / "€1,523.45",
"31 March 2025")."""

from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_currency
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.portal.i18n import N_, NAMES, translations
from shared import dutch
from shared.contracts.status import StatusCode
from shared.gateway_codes import described

TEMPLATES = Path(__file__).parent / "templates"
STATUS = {
    0: N_("Geweigerd"),
    10: N_("Geregistreerd"),
    20: N_("In behandeling"),
    30: N_("In workflow"),
    40: N_("Afgekeurd"),
    50: N_("Klaar voor verzending"),
    60: N_("Verzonden"),
    70: N_("Verzendfout"),
    80: N_("Geaccepteerd door instantie"),
    90: N_("Afgewezen door instantie"),
}
MESSAGE_TYPES = {
    "btw-aangifte": N_("Btw-aangifte"),
    "btw-suppletieaangifte": N_("Suppletie btw"),
    "icp-aangifte": N_("ICP-opgaaf"),
    "loonheffing": N_("Loonaangifte"),
    "kvk-stukken": N_("KvK-deponering"),
}
DIRECTIONS = {
    "payable": N_("te betalen"),
    "receivable": N_("terug te ontvangen"),
    "nil": N_("niets te betalen of te ontvangen"),
}
NAMES_IN_WORKFLOWS = (
    N_("Beoordelen aangifte klant"),
    N_("Beoordelen reactie van klant"),
    N_("Goedkeuren bericht"),
    N_("Afkeuren bericht"),
    N_("Reageren"),
    N_("Opnieuw voorleggen aan klant"),
    N_("Taak toewijzen"),
    N_("Herstellen berichtstatus"),
)
"""Tasks and actions of the configured workflows: shown translated (the ``translated`` filter, which leaves a
text the catalogs do not have as it is), sent to workflow as they are named."""


def amount(language: str, value: Decimal | str | float | None, currency: str | None = "EUR") -> str:
    if value is None:
        return ""
    if language == "nl":  # Babel's nl puts a no-break space after €; the product has always shown a plain one
        return dutch.amount(Decimal(str(value)), currency)
    return format_currency(Decimal(str(value)), currency or "EUR", locale=language)


def day(language: str, value: date | str | None) -> str:
    if value in (None, ""):
        return ""
    return format_date(
        value if isinstance(value, date) else date.fromisoformat(str(value)), "d MMMM y", locale=language
    )


def moment(language: str, value: datetime | None) -> str:
    """A point in time on the office's clock: 3 april 2025 om 09:00 / 3 April 2025 at 09:00."""
    if not value:
        return ""
    local = value.astimezone(dutch.OFFICE_TIME)
    return translations(language).gettext("%(day)s om %(time)s") % {
        "day": day(language, local.date()),
        "time": f"{local:%H:%M}",
    }


def status(language: str, code: int | None) -> str:
    if code in STATUS:
        return translations(language).gettext(STATUS[code])
    return StatusCode(code).label if code is not None else ""


def direction(language: str, value: str | None) -> str:
    """Payable, receivable or nil in the reader's words; a value the catalogs do not know as it is."""
    return translations(language).gettext(DIRECTIONS.get(value, value)) if value else ""


@cache
def environment(language: str) -> Environment:
    """One environment per language, so a page is rendered in one language start to end."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(), extensions=["jinja2.ext.i18n"]
    )
    messages = translations(language)
    env.install_gettext_translations(messages, newstyle=True)  # type: ignore[attr-defined]  # jinja2.ext.i18n adds it
    env.globals.update(language=language, language_names=NAMES)
    env.filters.update(
        amount=lambda value, currency="EUR": amount(language, value, currency),
        day=lambda value: day(language, value),
        moment=lambda value: moment(language, value),
        status=lambda code: status(language, code),
        translated=lambda text: messages.gettext(text) if text else "",
        direction=lambda value: direction(language, value),
        message_type=lambda t: messages.gettext(MESSAGE_TYPES[t]) if t in MESSAGE_TYPES else t or "",
        gateway_answer=lambda code: described(code) if code else "",
    )
    return env
