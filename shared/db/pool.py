"""asyncpg connection pools that speak JSON for json/jsonb columns (binary jsonb, so COPY works too).

The codecs use msgspec: on workflow's dossier items (a 6 KB document inside) it encodes about 8 times and
decodes about twice as fast as the standard json module, whose codecs were 6% of workflow's samples
(benchmarks/serialisation.py). PostgreSQL parses what it is given, so only the value counts, not the spelling;
integers of any size stay exact both ways (orjson would read those beyond 64 bits as floats). What msgspec
refuses (a number beyond a double, a lone surrogate escape, a key of another kind) goes through json as before.
"""

import json
from typing import TypeAlias

import asyncpg
import msgspec
from asyncpg.pool import PoolConnectionProxy

Connection: TypeAlias = asyncpg.Connection | PoolConnectionProxy
"""A connection of its own (``connect``) or one lent by a pool (``pool.acquire()``): asyncpg types them apart, and
either serves the functions of ``shared.db`` and ``shared.directory`` that take one."""

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()


def _dumps(value: object) -> bytes:
    try:
        return _encoder.encode(value)
    except (TypeError, ValueError, msgspec.EncodeError):
        return json.dumps(value).encode()


def _loads(data: bytes | str) -> object:
    try:
        return _decoder.decode(data)
    except msgspec.DecodeError:
        return json.loads(data)


def _encode_json(value: object) -> str:
    return _dumps(value).decode()


def _encode_jsonb(value: object) -> bytes:
    return b"\x01" + _dumps(value)


def _decode_jsonb(data: bytes) -> object:
    return _loads(data[1:])


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("json", encoder=_encode_json, decoder=_loads, schema="pg_catalog")
    await conn.set_type_codec(
        "jsonb", encoder=_encode_jsonb, decoder=_decode_jsonb, schema="pg_catalog", format="binary"
    )


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Nothing more to reset when a connection goes back to the pool. asyncpg still rolls back a transaction left
    open and drops listeners; its reset query (advisory locks, cursors, LISTEN, settings) would cost a round trip
    per release, 4% of dispatch's samples, for session state no service keeps on a pooled connection."""


async def create_pool(database_url: str, *, max_size: int = 5) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        database_url, min_size=1, max_size=max_size, init=_init_connection, reset=_keep_session
    )


async def connect(database_url: str) -> asyncpg.Connection:
    """A single connection with the same codecs, for commands and tests."""
    conn = await asyncpg.connect(database_url)
    await _init_connection(conn)
    return conn
