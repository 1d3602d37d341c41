"""Deny by default: every route of the portal says who may use it, and the app refuses to start with one that does
not. The rule is checked on the session before the handler runs; the handler still finds out exactly who asks
(``viewers.viewer``: the password unchanged, the client's organisations) and what they may see.

Someone not signed in is sent to the login page; someone signed in without the role a page needs gets the same
404 as an address that does not exist.
"""

from collections.abc import Awaitable, Callable, Iterable, Sequence
from enum import StrEnum

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from services.portal import sessions

Endpoint = Callable[[Request], Awaitable[Response]]


class Who(StrEnum):
    ANYONE = "anyone"
    AFTER_PASSWORD = "after the password"
    """The second step's pages: the password was right (the code may still be due), or signed in."""
    SIGNED_IN = "signed in"
    TASK_MANAGER = "task manager"
    OPERATOR = "operator"
    FUNCTIONAL_ADMIN = "functional administrator"


ROLE_OF = {Who.TASK_MANAGER: "task_manager", Who.OPERATOR: "operator", Who.FUNCTIONAL_ADMIN: "functional_admin"}


def admit(request: Request, who: Who) -> None:
    """Raises what the asker gets instead of the page: the login page, or a 404."""
    if who is Who.ANYONE:
        return
    if who is Who.AFTER_PASSWORD and sessions.halfway(request) is not None:
        return
    if not sessions.signed_in(request):
        raise HTTPException(303, headers={"Location": "/login"})
    if who in ROLE_OF and request.session.get("role") != ROLE_OF[who]:
        raise HTTPException(404)


class GuardedRoute(Route):
    """A route with its rule, checked before its handler."""

    def __init__(self, path: str, endpoint: Endpoint, who: Who, methods: Sequence[str] = ("GET",)):
        async def guarded(request: Request) -> Response:
            admit(request, who)
            return await endpoint(request)

        super().__init__(path, guarded, methods=list(methods), name=endpoint.__name__)
        self.who = who


class PublicFiles(Mount):
    """The stylesheet, the script and the icon: anyone's."""

    who = Who.ANYONE


def rules(routes: Iterable[BaseRoute]) -> list[tuple[str, str, Who]]:
    """(methods, path, who) for every route; raises when a route has no rule, so that none is open by mistake."""
    found = []
    for route in routes:
        who = getattr(route, "who", None)
        if not isinstance(who, Who):
            raise TypeError(f"the portal's route {getattr(route, 'path', route)!r} does not say who may use it")
        methods = ",".join(sorted((getattr(route, "methods", None) or {"GET"}) - {"HEAD"}))
        found.append((methods, getattr(route, "path", ""), who))
    return found
