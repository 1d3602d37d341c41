"""The portal's fakes for unit tests: the second factors kept in memory, with the same once-only rules as the
PostgreSQL store (a later step only, a recovery code spent once, one enrolment per user), and a clock to turn."""

import re
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from cryptography.fernet import Fernet

from services.portal import totp
from services.portal.factor_store import StoredFactor
from services.portal.second_factor import SecondFactors

KEY = Fernet.generate_key().decode()


class EmptyDatabase:
    """A pool whose every query finds nothing: for pages whose read model is not what a test is about."""

    async def fetch(self, *_):
        return []

    async def fetchrow(self, *_):
        return None

    async def fetchval(self, *_):
        return None

    @asynccontextmanager
    async def acquire(self):
        yield self


@dataclass
class Clock:
    now: float = 1_750_000_005.0
    """5 seconds into a 30-second step."""

    def __call__(self) -> float:
        return self.now


@dataclass
class MemoryFactorStore:
    factors: dict[str, StoredFactor] = field(default_factory=dict)
    recovery: dict[str, set[str]] = field(default_factory=dict)

    async def find(self, user: str) -> StoredFactor | None:
        factor = self.factors.get(user)
        return replace(factor, recovery_codes_left=len(self.recovery[user])) if factor else None

    async def enrol(self, user: str, sealed_secret: str, step: int, recovery_digests: list[str]) -> bool:
        if user in self.factors:
            return False
        self.factors[user] = StoredFactor(sealed_secret, step, datetime.now(UTC), len(recovery_digests))
        self.recovery[user] = set(recovery_digests)
        return True

    async def take_step(self, user: str, step: int, resealed_secret: str) -> bool:
        factor = self.factors.get(user)
        if factor is None or step <= factor.last_step:
            return False
        self.factors[user] = replace(factor, last_step=step, sealed_secret=resealed_secret)
        return True

    async def spend_recovery_code(self, user: str, digest: str) -> bool:
        codes = self.recovery.get(user, set())
        if digest not in codes:
            return False
        codes.remove(digest)
        return True

    async def reset(self, user: str) -> bool:
        self.recovery.pop(user, None)
        return self.factors.pop(user, None) is not None


def second_factors(clock: Clock | None = None, keys: list[str] | None = None) -> SecondFactors:
    return SecondFactors(MemoryFactorStore(), keys or [KEY], clock or Clock())


def csrf_of(page: str) -> str:
    field = re.search(r'name="csrf" value="([^"]+)"', page)
    assert field is not None, "the page has a csrf field"
    return field.group(1)


def secret_on(page: str) -> str:
    """The TOTP secret the setup page shows, as an app takes it (without the spaces between its groups)."""
    shown = re.search(r"<code class=\"secret\" data-secret>([A-Z2-7 ]+)</code>", page)
    assert shown is not None, "the setup page shows the secret"
    return shown.group(1).replace(" ", "")


def recovery_codes_on(page: str) -> list[str]:
    return re.findall(r"<li><code>([a-z0-9-]+)</code></li>", page)


def wrong_code(secret: str | None, now: float) -> str:
    """Six digits that are no code of ``secret`` near ``now``."""
    assert secret is not None
    near = {totp.code_at(secret, totp.step_at(now) + offset) for offset in (-1, 0, 1)}
    return next(c for c in (f"{n:06d}" for n in range(10)) if c not in near)
