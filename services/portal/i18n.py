"""The portal's languages: Dutch first, English per user; gettext catalogs read from ``locales/``.

Source strings (msgids) are Dutch, as the product is Dutch first; the nl
catalog repeats them (each language is a complete catalog; a test keeps nl equal to
the source) and the en catalog translates them. Catalogs are compiled in memory from the ``.po`` files
when first used: no binary ``.mo`` to forget to rebuild. To add a text, mark it
(``_()`` in templates, ``N_`` or a ``gettext`` call in Python), then run
``pybabel extract -F services/portal/babel.cfg -o /tmp/portal.pot services/portal`` and
``pybabel update -i /tmp/portal.pot -d services/portal/locales`` and translate.
"""

from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = ("nl", "en")
DEFAULT = "nl"
NAMES = {"nl": "Nederlands", "en": "English"}
"""Each language in its own words, as the switch shows it."""


def N_(message: str) -> str:  # noqa: N802 - the conventional name extraction looks for
    """Marks a text for the catalogs where it is defined; it is translated where it is shown."""
    return message


def catalog_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / "messages.po"


@cache
def translations(language: str) -> Translations:
    with catalog_path(language if language in LANGUAGES else DEFAULT).open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def gettext(language: str, message: str, **values: object) -> str:
    text = translations(language).gettext(message)
    return text % values if values else text


def supported(language: object) -> str | None:
    return language if language in LANGUAGES else None


def negotiate(accept_language: str | None) -> str:
    """The first supported language the browser asks for (by weight), else Dutch."""
    asked = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, weight = part.strip().partition(";q=")
        try:
            asked.append((-float(weight or 1), position, tag.split("-")[0].lower()))
        except ValueError:
            continue
    return next((tag for q, _, tag in sorted(asked) if q < 0 and tag in LANGUAGES), DEFAULT)
