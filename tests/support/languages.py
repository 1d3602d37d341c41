"""A page in one language: the texts of the other language's catalog that show up in what a person reads.

Data is left out (it is in the language it was written in): the item's subject and links to items, and anything
marked with a ``lang`` of its own (Digipoort's Dutch answers). Short texts are left out too ("u", "Van"): as
words inside other words they would be found everywhere.
"""

from functools import cache

from babel.messages.pofile import read_po
from playwright.async_api import Page

from services.portal.i18n import catalog_path

READABLE = """() => {
  const main = document.querySelector('main').cloneNode(true);
  main.querySelectorAll('[lang], h1, a[href^="/taken/"], select, textarea, input').forEach(e => e.remove());
  return main.innerText;
}"""


@cache
def _only_in(language: str) -> frozenset[str]:
    """Texts of ``language`` that the other language says differently, long enough to be told apart."""
    with catalog_path("en").open("rb") as po:  # the Dutch text is each message's id
        texts = {str(m.id): str(m.string) for m in read_po(po, locale="en") if isinstance(m.id, str) and m.id}
    chosen = texts.keys() if language == "nl" else texts.values()
    other = set(texts.values()) if language == "nl" else set(texts)
    return frozenset(t for t in chosen if len(t) >= 8 and "%(" not in t and t not in other)


async def other_language_on(page: Page, language: str) -> list[str]:
    """The texts of the language other than ``language`` found on the page's main part."""
    readable = await page.evaluate(READABLE)
    other = "nl" if language == "en" else "en"
    return sorted(text for text in _only_in(other) if text in readable)
