"""Who may log in, as what: users with argon2 password hashes and a role, from deploy/config/portal_users.yaml.

Roles: ``client`` (a contact's portal user in the directory), ``office``,
``task_manager`` and ``operator``. A failed login never says whether the user
exists. Repeated failures for one user from one address are throttled.
"""

import hashlib
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict

Role = Literal["client", "office", "task_manager", "operator", "functional_admin"]


class Account(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Role
    password_hash: str
    language: Literal["nl", "en"] = "nl"


class _AccountsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    users: dict[str, Account]


def load_accounts(path: Path) -> dict[str, Account]:
    return _AccountsFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8"))).users


class Accounts:
    def __init__(self, accounts: dict[str, Account], hasher: PasswordHasher | None = None):
        self.accounts = accounts
        self.hasher = hasher or PasswordHasher()
        self._dummy = self.hasher.hash("not a password anyone has")

    def verify(self, user: str, password: str) -> Account | None:
        account = self.accounts.get(user)
        try:
            # An unknown user costs a verification too, so the answer's timing does not tell who exists.
            self.hasher.verify(account.password_hash if account else self._dummy, password)
        except (VerificationError, InvalidHashError):
            return None
        return account

    def password_mark(self, user: str) -> str | None:
        """A short fingerprint of ``user``'s password hash (None for no such user), kept in their session: when the
        password changes in the accounts file, or the user is gone, the sessions made before it end."""
        account = self.accounts.get(user)
        return hashlib.sha256(account.password_hash.encode()).hexdigest()[:16] if account else None


@dataclass
class Throttle:
    """At most ``attempts`` failed logins per (user, address) in ``window`` seconds; per process."""

    attempts: int = 5
    window: float = 900.0

    def __post_init__(self) -> None:
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)

    def wait_seconds(self, user: str, address: str, now: float | None = None) -> float:
        """How long this (user, address) must wait before trying again; 0 when it may try now."""
        now = time.monotonic() if now is None else now
        failures = self._failures[(user, address)]
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return 0.0 if len(failures) < self.attempts else failures[0] + self.window - now

    def failed(self, user: str, address: str, now: float | None = None) -> None:
        self._failures[(user, address)].append(time.monotonic() if now is None else now)

    def succeeded(self, user: str, address: str) -> None:
        self._failures.pop((user, address), None)
