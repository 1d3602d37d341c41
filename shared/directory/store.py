"""A service's copy of the directory: ``<schema>.parties`` and how far it has read ``directory.parties``.

Several processes of one service each read the whole topic and write the same
rows; a row only moves forward (a change at a higher offset of its partition),
so the copies agree whatever order the processes write in. A removal keeps the
row, marked removed, so that an older record read late cannot bring it back.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from shared.contracts.directory import Party
from shared.contracts.record import READ_BACK
from shared.db.pool import Connection


@dataclass(frozen=True)
class PartyChange:
    """One record of directory.parties: ``party`` None is a tombstone."""

    organisation_person_id: str
    partition: int
    offset: int
    party: Party | None


async def apply_changes(conn: Connection, schema: str, changes: Iterable[PartyChange]) -> None:
    latest: dict[str, PartyChange] = {}
    for change in changes:
        latest[change.organisation_person_id] = change  # within a batch, the last change of a key wins
    if not latest:
        return
    # In key order: processes writing the same rows at once then lock them in the same order (no deadlock).
    rows = [latest[key] for key in sorted(latest)]
    await conn.execute(
        f"INSERT INTO {schema}.parties AS p (organisation_person_id, party, removed, partition, source_offset)"
        " SELECT * FROM unnest($1::text[], $2::jsonb[], $3::bool[], $4::int[], $5::bigint[])"
        " ON CONFLICT (organisation_person_id) DO UPDATE SET party = excluded.party, removed = excluded.removed,"
        " partition = excluded.partition, source_offset = excluded.source_offset, updated_at = now()"
        " WHERE p.partition <> excluded.partition OR p.source_offset < excluded.source_offset",
        [r.organisation_person_id for r in rows],
        [r.party.model_dump(mode="json") if r.party else None for r in rows],
        [r.party is None for r in rows],
        [r.partition for r in rows],
        [r.offset for r in rows],
    )


async def advance_positions(conn: Connection, schema: str, topic: str, next_offsets: dict[int, int]) -> None:
    await conn.execute(
        f"INSERT INTO {schema}.directory_positions AS d (topic, partition, next_offset)"
        " SELECT $1, p, n FROM unnest($2::int[], $3::bigint[]) AS x(p, n)"
        " ON CONFLICT (topic, partition) DO UPDATE SET next_offset = greatest(d.next_offset, excluded.next_offset)",
        topic,
        list(next_offsets),
        list(next_offsets.values()),
    )


async def positions(conn: Connection, schema: str, topic: str) -> dict[int, int]:
    rows = await conn.fetch(f"SELECT partition, next_offset FROM {schema}.directory_positions WHERE topic = $1", topic)
    return {r["partition"]: r["next_offset"] for r in rows}


async def parties(conn: Connection, schema: str, ids: Iterable[str]) -> dict[str, Party]:
    """The current (not removed) parties among ``ids``."""
    rows = await conn.fetch(
        f"SELECT party FROM {schema}.parties WHERE organisation_person_id = ANY($1::text[]) AND NOT removed",
        sorted(set(ids)),
    )
    return {r["party"]["organisation_person_id"]: Party.model_validate(r["party"], context=READ_BACK) for r in rows}


async def all_parties(conn: Connection, schema: str) -> list[Party]:
    rows = await conn.fetch(f"SELECT party FROM {schema}.parties WHERE NOT removed ORDER BY organisation_person_id")
    return [Party.model_validate(r["party"], context=READ_BACK) for r in rows]


async def holding_portal_users(conn: Connection, schema: str, users: Iterable[str]) -> dict[str, Party]:
    """The current parties with a contact whose portal user is among ``users``, by id."""
    rows = await conn.fetch(
        f"SELECT party FROM {schema}.parties WHERE NOT removed AND EXISTS (SELECT 1 FROM"
        " jsonb_array_elements(party->'contacts') c WHERE c->>'portal_user' = ANY($1::text[]))",
        sorted(set(users)),
    )
    return {r["party"]["organisation_person_id"]: Party.model_validate(r["party"], context=READ_BACK) for r in rows}
