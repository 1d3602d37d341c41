"""Who is asking, and whether they may ask now: the API key names and proves the source (401 otherwise), and each
source has its own rate (429 with Retry-After beyond it)."""

import math
import time
from http import HTTPStatus

from fastapi.security import HTTPAuthorizationCredentials
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from services.status_api import keys
from services.status_api.problems import TOO_MANY_REQUESTS, UNAUTHORISED, ApiProblem
from services.status_api.repository import Clients

ASK_FOR_A_KEY = (
    "Send the source's API key as 'Authorization: Bearer <key>'; an operator issues one with"
    " `accordeer status-api key SOURCE`."
)


class Gate:
    def __init__(self, clients: Clients, rate: str):
        self.clients = clients
        self.rate = parse(rate)
        # In this process's memory: with N processes behind a balancer a source gets up to N times the rate.
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    async def source_of(self, credentials: HTTPAuthorizationCredentials | None) -> str:
        """The caller's source, proven by its key and within its rate; ApiProblem (401 or 429) otherwise."""
        source = await self._authenticated(credentials)
        await self._admitted(source)
        return source

    async def _authenticated(self, credentials: HTTPAuthorizationCredentials | None) -> str:
        if credentials is None:
            raise _unauthorised("No API key was sent. " + ASK_FOR_A_KEY, challenge="Bearer")
        key = credentials.credentials
        source = keys.claimed_source(key)
        stored = await self.clients.key_digest(source) if source else None
        if source is None or not keys.matches(key, stored):
            raise _unauthorised(
                "The API key is not valid (it may have been replaced by a newer one). " + ASK_FOR_A_KEY,
                challenge='Bearer error="invalid_token"',
            )
        return source

    async def _admitted(self, source: str) -> None:
        if await self.limiter.hit(self.rate, source):
            return
        window = await self.limiter.get_window_stats(self.rate, source)
        wait = max(1, math.ceil(window.reset_time - time.time()))
        raise ApiProblem(
            HTTPStatus.TOO_MANY_REQUESTS,
            TOO_MANY_REQUESTS,
            "Too many requests",
            f"This source may make {_rate_text(self.rate)}; ask again in {wait} s.",
            headers={"Retry-After": str(wait)},
        )


def _rate_text(rate: RateLimitItem) -> str:
    unit = rate.GRANULARITY.name
    per = unit if rate.multiples == 1 else f"{rate.multiples} {unit}s"
    return f"{rate.amount} requests per {per}"


def _unauthorised(detail: str, *, challenge: str) -> ApiProblem:
    return ApiProblem(
        HTTPStatus.UNAUTHORIZED, UNAUTHORISED, "Unauthorised", detail, headers={"WWW-Authenticate": challenge}
    )
