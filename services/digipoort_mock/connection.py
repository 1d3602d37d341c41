"""Closing a connection without sending a single byte back, the way a real network failure looks.

ASGI has no message for "hang up". Raising in the app does not do it either: uvicorn then answers 500,
or, once headers are out, sends a truncated response. What uvicorn does do (h11, httptools and zttp
alike) is close the transport without writing anything when the ASGI callable returns something
other than None before it started a response. So an endpoint returns `DroppedConnection()`, which
only marks the request, and `ConnectionDroppingStarlette` turns that mark into such a return value.
A client sees `httpx.RemoteProtocolError: Server disconnected without sending a response`.

uvicorn logs "ASGI callable should return None" at error level for every drop; that line is expected.
"""

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

_DROP = "digipoort_mock.drop_connection"


class DroppedConnection(Response):
    """An endpoint's answer meaning: send nothing, close the connection."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[_DROP][0] = True


class ConnectionDroppingStarlette(Starlette):
    """A Starlette app whose endpoints and middleware can answer `DroppedConnection()`."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        # A shared list rather than a flag in scope, in case a layer below hands on a copy of scope.
        dropped = [False]
        scope[_DROP] = dropped
        await super().__call__(scope, receive, send)
        if dropped[0]:
            return "dropped"  # type: ignore[return-value]  # see the module docstring
