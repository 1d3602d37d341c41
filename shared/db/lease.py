"""The relay's lanes: which process relays which part of a service's outbox, renewed as a heartbeat and taken over
with fencing.

The outbox is split into lanes by a record's lane key (``shared.db.outbox.lane_of``), so that the records of one
declaration, and so of one Kafka key, are always in the same lane. One row per lane in ``<schema>.relay_leases``
says which relay holds it. A relay holds its lanes on the one connection it relays with and renews them together.

Lanes are shared out among the relays alive (their sessions are named ``accordeer relay <schema>`` in
``pg_stat_activity``): each takes free lanes up to a fair share and gives back what is beyond it, so N processes of
a service publish in parallel. A lane whose holder is gone or overdue is taken whatever the share, so no lane is
ever left without a relay: when the holder's session is gone (a crash) at once; when it has not renewed for
``lease_seconds`` (a frozen or stalled holder) the challenger ends the holder's session with
``pg_terminate_backend``, so whatever that session holds or has open dies with it, and raises the lane's token,
which every delete from the outbox is checked against.
"""

import math

from shared.db.pool import Connection

# The holder's session is identified by pid and start time: a pid PostgreSQL has given to a newer session
# is not the holder and must never be terminated.
_HOLDER_ALIVE = """EXISTS (SELECT 1 FROM pg_stat_activity a
                           WHERE a.pid = l.backend_pid AND a.backend_start = l.backend_start)"""
_OWN_START = "(SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid())"
# Whether a lane row ``l``'s holder is alive, and whether it is overdue by the lease time (parameter $1).
_STANDING = f"{_HOLDER_ALIVE} AS alive, now() - l.renewed_at > make_interval(secs => $1) AS overdue"


class LeaseLost(Exception):
    """A lane has been taken over by another process (or its row is gone): stop relaying."""


def application_name(schema: str) -> str:
    """The name a relay's session carries, by which the relays alive are counted."""
    return f"accordeer relay {schema}"


class RelayLanes:
    """The lanes of one schema's outbox that one relay holds, all on one connection (one session to fence)."""

    def __init__(self, schema: str, holder: str, *, lanes: int, lease_seconds: float = 5.0):
        self.schema = schema
        self.holder = holder
        self.lanes = lanes
        self.lease_seconds = lease_seconds
        self.held: dict[int, int] = {}
        """lane -> the token this relay holds it with"""

    async def rebalance(self, conn: Connection) -> tuple[list[int], list[int]]:
        """Take the lanes whose holder is gone or overdue, then free lanes up to a fair share among the relays
        alive, and give back the lanes beyond that share; returns the lanes taken and those given back.

        Call it between batches: a lane given back must have nothing of this relay's in flight."""
        relays = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1",
            application_name(self.schema),
        )
        share = math.ceil(self.lanes / max(relays, 1))
        rows = {
            r["lane"]: r
            for r in await conn.fetch(
                f"SELECT l.lane, {_STANDING} FROM {self.schema}.relay_leases l", self.lease_seconds
            )
        }
        orphaned = [
            lane
            for lane, r in rows.items()
            if lane < self.lanes and lane not in self.held and (not r["alive"] or r["overdue"])
        ]
        taken = [lane for lane in orphaned if await self._try_acquire(conn, lane) is not None]
        for lane in (lane for lane in range(self.lanes) if lane not in rows):
            if len(self.held) >= share:
                break
            if await self._try_acquire(conn, lane) is not None:
                taken.append(lane)
        given_back = sorted(self.held)[share:] if not taken else []
        if given_back:
            await conn.execute(
                f"""DELETE FROM {self.schema}.relay_leases l USING unnest($1::int[], $2::bigint[]) AS h(lane, token)
                    WHERE l.lane = h.lane AND l.token = h.token AND l.backend_pid = pg_backend_pid()""",
                given_back,
                [self.held[lane] for lane in given_back],
            )
            for lane in given_back:
                del self.held[lane]
        return taken, given_back

    async def _try_acquire(self, conn: Connection, lane: int) -> int | None:
        """Take ``lane`` if it is free, its holder gone or overdue; the new token, or None if it is held."""
        async with conn.transaction():
            current = await conn.fetchrow(
                f"""SELECT l.backend_pid, {_STANDING}
                    FROM {self.schema}.relay_leases l WHERE l.lane = $2 FOR UPDATE""",
                self.lease_seconds,
                lane,
            )
            if current is None:
                token: int | None = await conn.fetchval(
                    f"""INSERT INTO {self.schema}.relay_leases (lane, holder, token, backend_pid, backend_start)
                        VALUES ($1, $2, 1, pg_backend_pid(), {_OWN_START})
                        ON CONFLICT (lane) DO NOTHING RETURNING token""",
                    lane,
                    self.holder,
                )
            elif current["alive"] and not current["overdue"]:
                return None
            else:
                if current["alive"]:
                    # Wait (bounded) for that session to end, so it can no longer act on the database.
                    await conn.execute("SELECT pg_terminate_backend($1, 2000)", current["backend_pid"])
                token = await conn.fetchval(
                    f"""UPDATE {self.schema}.relay_leases
                        SET holder = $2, token = token + 1, backend_pid = pg_backend_pid(),
                            backend_start = {_OWN_START}, acquired_at = now(), renewed_at = now()
                        WHERE lane = $1 RETURNING token""",
                    lane,
                    self.holder,
                )
        if token is not None:
            self.held[lane] = token
        return token

    async def renew(self, conn: Connection) -> None:
        """Renew every lane held; raises LeaseLost if another process holds one of them now."""
        if not self.held:
            return
        status = await conn.execute(
            f"""UPDATE {self.schema}.relay_leases l SET renewed_at = now()
                FROM unnest($1::int[], $2::bigint[]) AS h(lane, token)
                WHERE l.lane = h.lane AND l.token = h.token AND l.backend_pid = pg_backend_pid()""",
            *self._lanes_and_tokens(),
        )
        if status != f"UPDATE {len(self.held)}":
            raise self.lost()

    async def hold(self, conn: Connection) -> None:
        """Within a transaction: keep the lanes held from being taken over until it ends; LeaseLost if one is not
        ours.

        A challenger's takeover waits for this transaction (or ends this session), so what the transaction
        does to the outbox is done by the holder of the current tokens, or not at all.
        """
        query, arguments = self.holding(first=1)
        if len(await conn.fetch(query, *arguments)) != len(self.held):
            raise self.lost()

    def holding(self, *, first: int) -> tuple[str, list[list[int]]]:
        """A query that locks the lanes held against a takeover (until its transaction ends) and returns those still
        ours, with its two arguments, numbered from ``$first``: for ``hold``, or a CTE of a statement that should
        act only while every lane is ours."""
        return (
            f"""SELECT l.lane FROM {self.schema}.relay_leases l,
                       unnest(${first}::int[], ${first + 1}::bigint[]) AS h(lane, token)
                WHERE l.lane = h.lane AND l.token = h.token AND l.backend_pid = pg_backend_pid() FOR SHARE OF l""",
            list(self._lanes_and_tokens()),
        )

    def lost(self) -> LeaseLost:
        return LeaseLost(f"{self.schema} relay lanes {sorted(self.held)} partly taken over; tokens are stale")

    def _lanes_and_tokens(self) -> tuple[list[int], list[int]]:
        lanes = sorted(self.held)
        return lanes, [self.held[lane] for lane in lanes]
