"""What the signed session holds about who is logging in: a user logged in (with or without a second factor), or
one half way, whose password was right and whose second factor comes next.

Half way is not logged in: ``viewer`` knows only ``user``, which is set after the second factor (or for a client
without one). It lasts ten minutes; then the password is asked again. An enrolment in progress keeps its new
secret here, sealed, so it is the secret of this session only: someone who had the password and opened the
enrolment page before the user did has not seen the secret the user confirms.
"""

import secrets
import time
from dataclasses import dataclass

from starlette.requests import Request

HALFWAY_SECONDS = 600.0


@dataclass(frozen=True)
class Halfway:
    user: str
    role: str


def log_in(request: Request, user: str, role: str, *, second_factor: bool) -> None:
    """A new session for ``user`` (no fixation), in the language the session has so far."""
    language = request.session.get("language")
    request.session.clear()
    request.session.update(user=user, role=role, second_factor=second_factor, csrf=secrets.token_urlsafe(24))
    if language:
        request.session["language"] = language


def halfway_in(request: Request, user: str, role: str, language: str) -> None:
    request.session.clear()
    request.session.update(
        halfway={"user": user, "role": role, "since": time.time()}, language=language, csrf=secrets.token_urlsafe(24)
    )


def halfway(request: Request) -> Halfway | None:
    """Who gave their password in this session and still owes the second factor; None after ten minutes."""
    state = request.session.get("halfway")
    if not isinstance(state, dict) or not time.time() - float(state.get("since", 0)) < HALFWAY_SECONDS:
        return None
    return Halfway(str(state["user"]), str(state["role"]))
