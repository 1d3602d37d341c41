"""asyncpg connection pools that speak JSON for json/jsonb columns (binary jsonb, so COPY works too)."""

import json

import asyncpg


def _encode_jsonb(value) -> bytes:
    return b"\x01" + json.dumps(value).encode()


def _decode_jsonb(data: bytes):
    return json.loads(data[1:])


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    await conn.set_type_codec("jsonb", encoder=_encode_jsonb, decoder=_decode_jsonb, schema="pg_catalog",
                              format="binary")


async def create_pool(database_url: str, *, max_size: int = 5) -> asyncpg.Pool:
    return await asyncpg.create_pool(database_url, min_size=1, max_size=max_size, init=_init_connection)


async def connect(database_url: str) -> asyncpg.Connection:
    """A single connection with the same codecs, for commands and tests."""
    conn = await asyncpg.connect(database_url)
    await _init_connection(conn)
    return conn
