"""What the session (kept on the server: session_store.py) holds about who is logging in: a user logged in (with or
without a second factor), or one half way, whose password was right and whose second factor comes next. Each step
in gets a new session id, and the old one ends (no fixation).

Half way is not logged in: ``viewer`` knows only ``user``, which is set after the second factor (or for a client
without one). It lasts ten minutes; then the password is asked again. An enrolment in progress keeps its new
secret here, sealed, so it is the secret of this session only: someone who had the password and opened the
enrolment page before the user did has not seen the secret the user confirms.
"""

import secrets
import time
from dataclasses import dataclass

from starlette.requests import Request
from starsessions.session import get_session_handler

from services.portal.accounts import Accounts
from services.portal.second_factor import required_for

HALFWAY_SECONDS = 600.0


def signed_in(request: Request) -> bool:
    """A user is in the session, past the second factor where their role needs one."""
    role = str(request.session.get("role"))
    return bool(request.session.get("user")) and (
        not required_for(role) or request.session.get("second_factor") is True
    )


@dataclass(frozen=True)
class Halfway:
    user: str
    role: str


async def _renewed(request: Request) -> None:
    """The session's old id ends on the server and the session goes on under a new one."""
    handler = get_session_handler(request)
    await handler.destroy()
    handler.regenerate_id()
    request.session.clear()


async def log_in(request: Request, accounts: Accounts, user: str, role: str, *, second_factor: bool) -> None:
    """A new session for ``user`` (no fixation), in the language the session has so far. It keeps the fingerprint
    of the password it was made with (Accounts.password_mark): a changed password ends it."""
    language = request.session.get("language")
    await _renewed(request)
    request.session.update(
        user=user,
        role=role,
        second_factor=second_factor,
        csrf=secrets.token_urlsafe(24),
        password=accounts.password_mark(user),
    )
    if language:
        request.session["language"] = language


async def halfway_in(request: Request, user: str, role: str, language: str) -> None:
    await _renewed(request)
    request.session.update(
        halfway={"user": user, "role": role, "since": time.time()}, language=language, csrf=secrets.token_urlsafe(24)
    )


def halfway(request: Request) -> Halfway | None:
    """Who gave their password in this session and still owes the second factor; None after ten minutes."""
    state = request.session.get("halfway")
    if not isinstance(state, dict) or not time.time() - float(state.get("since", 0)) < HALFWAY_SECONDS:
        return None
    return Halfway(str(state["user"]), str(state["role"]))
