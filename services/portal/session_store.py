"""The portal's sessions, kept in PostgreSQL (``portal.sessions``) behind starsessions' session middleware.

The cookie holds only a random id (128 bits); what the session says lives on the server. So logging out ends the
session for every copy of the cookie, every portal process serves every session (no key to share between them),
and a session ends after ``idle`` without a request or ``absolute`` after it began, whatever the cookie says.
Only the id's SHA-256 is stored: the table does not hand out live sessions to whoever reads it. An ended session's
row stays (ended) until it expires, so nothing writes it back.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

import asyncpg
from starsessions.session import generate_session_id
from starsessions.stores import SessionStore

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=8)

_READ = """
SELECT data FROM portal.sessions
WHERE id_sha256 = $1 AND ended_at IS NULL AND last_seen > now() - $2::interval AND created_at > now() - $3::interval
"""
_WRITE = """
INSERT INTO portal.sessions (id_sha256, user_name, data) VALUES ($1, $2, $3)
ON CONFLICT (id_sha256) DO UPDATE SET user_name = excluded.user_name, data = excluded.data, last_seen = now()
WHERE sessions.ended_at IS NULL
RETURNING true
"""
_END = "UPDATE portal.sessions SET ended_at = now() WHERE ended_at IS NULL"
"""Ended, not deleted: a request that read the session before the logout and answers after it would write it
back (a row deleted is a new id to the upsert), logging the person in again."""
_PURGE = "DELETE FROM portal.sessions WHERE last_seen < now() - $1::interval OR created_at < now() - $2::interval"


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _user(data: bytes) -> str | None:
    """Whose session it is (also half way through the second factor), for ending a person's sessions."""
    session = json.loads(data)
    halfway = session.get("halfway")
    return session.get("user") or (halfway.get("user") if isinstance(halfway, dict) else None)


class PostgresSessions(SessionStore):
    def __init__(self, pool: Callable[[], asyncpg.Pool], idle: timedelta = IDLE, absolute: timedelta = ABSOLUTE):
        self.pool, self.idle, self.absolute = pool, idle, absolute

    async def read(self, session_id: str, lifetime: int) -> bytes:
        data = await self.pool().fetchval(_READ, _digest(session_id), self.idle, self.absolute)
        return bytes(data) if data is not None else b""

    async def write(self, session_id: str, data: bytes, lifetime: int, ttl: int) -> str:
        user = _user(data)
        if await self.pool().fetchval(_WRITE, _digest(session_id), user, data) or user is not None:
            return session_id  # written; or ended, and a logged-in session ended stays ended
        fresh = generate_session_id()  # an anonymous one (a login page) goes on under a new id
        await self.pool().execute(_WRITE, _digest(fresh), None, data)
        return fresh

    async def remove(self, session_id: str) -> None:
        async with self.pool().acquire() as conn, conn.transaction():
            await conn.execute(_END + " AND id_sha256 = $1", _digest(session_id))
            await conn.execute(_PURGE, self.idle, self.absolute)  # at each logout and login: the expired go too


async def end_sessions_of(conn: asyncpg.Connection, user: str) -> int:
    """End every session of ``user`` (as when their password or second factor changes); how many there were."""
    ended = await conn.fetch(_END + " AND user_name = $1 RETURNING 1", user)
    return len(ended)
