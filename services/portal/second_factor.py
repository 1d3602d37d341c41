"""The second factor's use cases: enrolling (a new secret, confirmed by a code, which gives the recovery codes),
checking a code at login (once, ±1 step, never replayed) or spending a recovery code instead.

Every role but ``client`` must have one; a client may. TOTP secrets are sealed with Fernet before they are
stored, with the keys of ``ACCORDEER_PORTAL_SECOND_FACTOR_KEY``: the first seals, each opens, and an accepted
code seals the secret again with the first, so a key being rotated out goes out of use as people log in.
"""

import time
from collections.abc import Callable

import structlog
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from services.portal import totp
from services.portal.factor_store import FactorStore, StoredFactor

log = structlog.get_logger(__name__)


def required_for(role: str) -> bool:
    """Staff (office, task manager, operator, and any role added later) must log in with a second factor."""
    return role != "client"


class SecondFactors:
    def __init__(self, store: FactorStore, keys: list[str], clock: Callable[[], float] = time.time):
        self.store, self.clock = store, clock
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def unsealed(self, sealed: str) -> str | None:
        """The secret; None (and an error in the log) when no key opens it, e.g. after a key was lost."""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            log.error("second factor secret not opened by any configured key")
            return None

    async def of(self, user: str) -> StoredFactor | None:
        return await self.store.find(user)

    def new_enrolment(self) -> str:
        """A fresh secret, sealed: the enrolling session keeps it until a code confirms it."""
        return self.seal(totp.new_secret())

    async def enrol(self, user: str, sealed_secret: str, code: str) -> list[str] | None:
        """The recovery codes (shown once, kept as digests) when ``code`` fits the secret and the user had no
        factor yet; None otherwise."""
        secret = self.unsealed(sealed_secret)
        step = totp.matching_step(secret, code, self.clock()) if secret is not None else None
        if secret is None or step is None:
            return None
        codes = totp.new_recovery_codes()
        if not await self.store.enrol(user, self.seal(secret), step, [totp.recovery_digest(c) for c in codes]):
            return None
        log.info("second factor enrolled", user=user)
        return codes

    async def verify(self, user: str, code: str) -> bool:
        """Whether ``code`` is a current code of the user's secret not used before; it is used up if so."""
        factor = await self.store.find(user)
        secret = self.unsealed(factor.sealed_secret) if factor else None
        if factor is None or secret is None:
            return False
        step = totp.matching_step(secret, code, self.clock(), after=factor.last_step)
        return step is not None and await self.store.take_step(user, step, self.seal(secret))

    async def recover(self, user: str, code: str) -> bool:
        """Whether ``code`` is one of the user's unspent recovery codes; it is spent if so."""
        spent = await self.store.spend_recovery_code(user, totp.recovery_digest(code))
        if spent:
            log.info("second factor recovery code spent", user=user)
        return spent

    async def reset(self, user: str) -> bool:
        return await self.store.reset(user)
