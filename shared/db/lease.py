"""The relay lease: which process relays a service's outbox, renewed as a heartbeat and taken over with fencing.

One row per lane in ``<schema>.relay_leases`` (lane 0 is the whole outbox). The holder renews it on the
connection it relays with. A challenger takes it over when the holder's session is gone (a crash: at once)
or when it has not been renewed for ``lease_seconds`` (a frozen or stalled holder): it ends the holder's
session with ``pg_terminate_backend``, so whatever that session holds or has open dies with it, and raises
the token, which every delete from the outbox is checked against.
"""

import asyncpg

# The holder's session is identified by pid and start time: a pid PostgreSQL has given to a newer session
# is not the holder and must never be terminated.
_HOLDER_ALIVE = """EXISTS (SELECT 1 FROM pg_stat_activity a
                           WHERE a.pid = l.backend_pid AND a.backend_start = l.backend_start)"""
_OWN_START = "(SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid())"


class LeaseLost(Exception):
    """The lease has been taken over by another process (or its row is gone): stop relaying."""


class RelayLease:
    """The lease of one lane of one schema's outbox, held on one connection."""

    def __init__(self, schema: str, holder: str, *, lane: int = 0, lease_seconds: float = 5.0):
        self.schema = schema
        self.holder = holder
        self.lane = lane
        self.lease_seconds = lease_seconds
        self.token: int | None = None

    async def try_acquire(self, conn: asyncpg.Connection) -> int | None:
        """Take the lease if it is free, its holder gone or overdue; the new token, or None if it is held."""
        async with conn.transaction():
            current = await conn.fetchrow(
                f"""SELECT l.holder, l.token, l.backend_pid, {_HOLDER_ALIVE} AS alive,
                           now() - l.renewed_at > make_interval(secs => $2) AS overdue
                    FROM {self.schema}.relay_leases l WHERE l.lane = $1 FOR UPDATE""",
                self.lane, self.lease_seconds)
            if current is None:
                self.token = await conn.fetchval(
                    f"""INSERT INTO {self.schema}.relay_leases (lane, holder, token, backend_pid, backend_start)
                        VALUES ($1, $2, 1, pg_backend_pid(), {_OWN_START})
                        ON CONFLICT (lane) DO NOTHING RETURNING token""", self.lane, self.holder)
                return self.token
            if current["alive"] and not current["overdue"]:
                return None
            if current["alive"]:
                # Wait (bounded) for that session to end, so it can no longer act on the database.
                await conn.execute("SELECT pg_terminate_backend($1, 2000)", current["backend_pid"])
            self.token = await conn.fetchval(
                f"""UPDATE {self.schema}.relay_leases
                    SET holder = $2, token = token + 1, backend_pid = pg_backend_pid(), backend_start = {_OWN_START},
                        acquired_at = now(), renewed_at = now()
                    WHERE lane = $1 RETURNING token""", self.lane, self.holder)
            return self.token

    async def renew(self, conn: asyncpg.Connection) -> None:
        """Renew the lease; raises LeaseLost if another process holds it now."""
        status = await conn.execute(
            f"UPDATE {self.schema}.relay_leases SET renewed_at = now() "
            "WHERE lane = $1 AND token = $2 AND backend_pid = pg_backend_pid()", self.lane, self.token)
        if status != "UPDATE 1":
            raise LeaseLost(f"{self.schema} relay lease (lane {self.lane}) taken over; token {self.token} is stale")

    async def hold(self, conn: asyncpg.Connection) -> None:
        """Within a transaction: keep the lease from being taken over until it ends; LeaseLost if it is not ours.

        A challenger's takeover waits for this transaction (or ends this session), so what the transaction
        does to the outbox is done by the holder of the current token, or not at all.
        """
        held = await conn.fetchval(
            f"SELECT true FROM {self.schema}.relay_leases "
            "WHERE lane = $1 AND token = $2 AND backend_pid = pg_backend_pid() FOR SHARE", self.lane, self.token)
        if not held:
            raise LeaseLost(f"{self.schema} relay lease (lane {self.lane}) taken over; token {self.token} is stale")
