"""Many rows into a table in one statement: one array per column, unnested by PostgreSQL.

What a batch writes is mostly one or two rows at light load, where each round trip is most of a batch's cost: an
INSERT from arrays is one round trip, COPY two (its start, then the data). COPY is faster only for thousands of
rows, which a batch of ours never writes to one table.
"""

from collections.abc import Mapping, Sequence

from shared.db.pool import Connection


async def insert_rows(
    conn: Connection,
    table: str,
    columns: Mapping[str, str],
    rows: Sequence[Sequence[object]],
    *,
    on_conflict: str = "",
) -> None:
    """INSERT ``rows`` (values in the order of ``columns``, which maps each column to its PostgreSQL type) into
    ``table`` (schema-qualified), in the order given; ``on_conflict``: the statement's ON CONFLICT clause, if any."""
    if not rows:
        return
    names = ", ".join(columns)
    arrays = ", ".join(f"${n}::{kind}[]" for n, kind in enumerate(columns.values(), start=1))
    # In the order given, said rather than left to the plan: a serial id (the outbox's) must follow it.
    await conn.execute(
        f"INSERT INTO {table} ({names}) SELECT {names} FROM unnest({arrays})"
        f" WITH ORDINALITY AS given({names}, given_order) ORDER BY given_order {on_conflict}",
        *(list(values) for values in zip(*rows, strict=True)),
    )
