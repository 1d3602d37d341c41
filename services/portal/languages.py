"""Which language a request is answered in, and where a switch (a small form in every page's header) goes back to.

Logged in, it is the account's language, put in the session at login; before
that the browser's Accept-Language (Dutch when it asks for nothing we have).
A switch is kept in the session, so it lasts until logout.
"""

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from starlette.requests import Request

from services.portal.i18n import negotiate, supported, translations


def language_of(request: Request) -> str:
    return supported(request.session.get("language")) or negotiate(request.headers.get("accept-language"))


def gettext_for(request: Request) -> Callable[[str], str]:
    return translations(language_of(request)).gettext


_ON_THIS_SITE = re.compile(r"/(?![/\\])[^\x00-\x20\x7f\\]*")
"""A path that no browser reads as another host: no ``//`` or ``/\\`` start (a browser reads ``\\`` as ``/``), no
backslash, whitespace or control character anywhere (browsers drop tabs and newlines from a URL)."""


def back_to(request: Request) -> str:
    """The page the switch was made on; only a path on this site, never elsewhere."""
    try:
        referer = urlsplit(request.headers.get("referer", ""))
    except ValueError:  # e.g. "//[": not a URL at all
        return "/"
    same_site = referer.netloc in ("", request.url.netloc) and referer.path.startswith("/")
    target = referer.path + (f"?{referer.query}" if referer.query else "")
    return target if same_site and _ON_THIS_SITE.fullmatch(target) else "/"
