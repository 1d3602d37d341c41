"""The portal's message catalogs: every text marked in its templates and Python has a translation in each
language, with the same placeholders, and no catalog keeps texts nobody uses any more."""

import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from accordeer.paths import REPO_ROOT
from services.portal.i18n import LANGUAGES, catalog_path

METHODS = [("**/templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def placeholders(text: str | tuple[str, ...]) -> set[str]:
    """Of a text, or of every form of a plural one."""
    return {p for form in ((text,) if isinstance(text, str) else text) for p in PLACEHOLDER.findall(form)}


@pytest.fixture(scope="module")
def used() -> set[str | tuple[str, ...]]:
    """Each text marked for translation (a plural one would be its forms, as a tuple)."""
    return {message for _, _, message, _, _ in extract_from_dir(REPO_ROOT / "services" / "portal", METHODS)}


def catalog(language: str):
    with catalog_path(language).open("rb") as po:
        return read_po(po, locale=language)


def test_texts_are_found_in_templates_and_python(used):
    assert {"Mijn taken", "Goedkeuren bericht", "Geef bij '%(action)s' een toelichting.", "Niet gevonden"} <= used


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_used_text_is_translated_with_the_same_placeholders(used, language):
    messages = {m.id: m.string for m in catalog(language) if m.id}
    assert sorted(used - messages.keys()) == [], f"not in the {language} catalog"
    untranslated = [m for m in used if not messages[m] or (isinstance(m, tuple) and not all(messages[m]))]
    assert untranslated == [], f"untranslated in {language}"
    assert [m for m in used if placeholders(m) != placeholders(messages[m])] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_catalog_keeps_no_texts_nobody_uses(used, language):
    assert sorted({m.id for m in catalog(language) if m.id} - used) == []


def test_the_dutch_catalog_says_what_the_code_says():
    """Dutch first: the source texts are the Dutch the product has always shown."""
    assert [m.id for m in catalog("nl") if m.id and m.string != m.id] == []


def test_no_template_shows_text_that_bypasses_the_catalogs():
    """Text between tags, and in attributes people read, is a gettext call; names and examples aside."""
    # Names, and examples of data (a message type, a characteristic as the mapping's rules have them).
    allowed = {"Accordeer", "medewerker", "fiscaal", "OK", "btw", "aangifte", "vestiging", "Utrecht"}
    for template in (REPO_ROOT / "services" / "portal" / "templates").glob("*.html"):
        source = re.sub(r"{{.*?}}|{%.*?%}|{#.*?#}", " ", template.read_text(encoding="utf-8"), flags=re.S)
        read = re.findall(r'(?:aria-label|title|placeholder|alt)="([^"]*)"', source)
        shown = re.sub(r"<[^>]*>", " ", source)
        words = set(re.findall(r"[^\W\d_]{2,}", " ".join([shown, *read])))
        assert words <= allowed, f"{template.name}: {sorted(words - allowed)}"
