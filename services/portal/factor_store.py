"""Where the second factors are kept: portal.second_factors and portal.recovery_codes (migration 0016).

Every change that must happen once is one statement: a time step is taken only if it is later than the last
(two portal processes given the same code accept it once between them), a recovery code is spent by deleting it,
and a user enrols only if they have no factor yet. The secrets arrive sealed; this module never sees one.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import asyncpg

from shared.db.pool import Connection


@dataclass(frozen=True)
class StoredFactor:
    sealed_secret: str
    last_step: int
    """The time step of the last code accepted: a code of this step or before is refused."""
    enrolled_at: datetime
    recovery_codes_left: int


class FactorStore(Protocol):
    async def find(self, user: str) -> StoredFactor | None: ...

    async def enrol(self, user: str, sealed_secret: str, step: int, recovery_digests: list[str]) -> bool:
        """Keep a confirmed factor with its recovery codes; False (and nothing kept) when the user has one."""
        ...

    async def take_step(self, user: str, step: int, resealed_secret: str) -> bool:
        """Record ``step`` as the last one used, if it is later than the last; True when it was."""
        ...

    async def spend_recovery_code(self, user: str, digest: str) -> bool: ...

    async def reset(self, user: str) -> bool: ...


class PostgresFactorStore:
    def __init__(self, pool: Callable[[], asyncpg.Pool]):
        self.pool = pool

    async def find(self, user: str) -> StoredFactor | None:
        async with self.pool().acquire() as conn:
            row = await conn.fetchrow(
                "SELECT sealed_secret, last_step, enrolled_at,"
                " (SELECT count(*) FROM portal.recovery_codes r WHERE r.user_name = f.user_name) AS recovery_codes_left"
                " FROM portal.second_factors f WHERE user_name = $1",
                user,
            )
        return StoredFactor(**dict(row)) if row else None

    async def enrol(self, user: str, sealed_secret: str, step: int, recovery_digests: list[str]) -> bool:
        async with self.pool().acquire() as conn, conn.transaction():
            enrolled = await conn.fetchval(
                "INSERT INTO portal.second_factors (user_name, sealed_secret, last_step) VALUES ($1, $2, $3)"
                " ON CONFLICT (user_name) DO NOTHING RETURNING true",
                user,
                sealed_secret,
                step,
            )
            if enrolled:
                await conn.executemany(
                    "INSERT INTO portal.recovery_codes (user_name, code_sha256) VALUES ($1, $2)",
                    [(user, digest) for digest in recovery_digests],
                )
        return bool(enrolled)

    async def take_step(self, user: str, step: int, resealed_secret: str) -> bool:
        async with self.pool().acquire() as conn:
            taken = await conn.fetchval(
                "UPDATE portal.second_factors SET last_step = $2, sealed_secret = $3"
                " WHERE user_name = $1 AND last_step < $2 RETURNING true",
                user,
                step,
                resealed_secret,
            )
        return bool(taken)

    async def spend_recovery_code(self, user: str, digest: str) -> bool:
        async with self.pool().acquire() as conn:
            spent = await conn.fetchval(
                "DELETE FROM portal.recovery_codes WHERE user_name = $1 AND code_sha256 = $2 RETURNING true",
                user,
                digest,
            )
        return bool(spent)

    async def reset(self, user: str) -> bool:
        async with self.pool().acquire() as conn:
            return await forget_second_factor(conn, user)


async def forget_second_factor(conn: Connection, user: str) -> bool:
    """Drop the user's factor and recovery codes (lost phone): they enrol again at their next login. True if they
    had one."""
    forgotten = await conn.fetchval("DELETE FROM portal.second_factors WHERE user_name = $1 RETURNING true", user)
    return bool(forgotten)
