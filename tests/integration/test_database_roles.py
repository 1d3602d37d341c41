"""Least privilege in PostgreSQL (shared/db/roles.py, migration 0018): each service's role reaches its own schema
and nothing else, the reader reads what the operator's views read and writes nothing, nobody but the owner changes
the schema, and the embedded server asks every connection for its password."""

import asyncio
import itertools
import os
import stat

import asyncpg
import pytest

from accordeer.localstack.postgres import LocalPostgres, passwords_file, passwords_of
from accordeer.localstack.stack import create_database, with_database
from shared.db.migrations import apply_migrations
from shared.db.roles import OWNER, READER, SCHEMAS, SERVICE_ROLES, as_role

_numbers = itertools.count(1)

READER_READS = ("intake.dossier_items", "workflow.instances", "workflow.audit", "dispatch.deliveries")
SECRETS = ("portal.second_factors", "portal.recovery_codes", "status_api.clients")
"""What holds a secret: the sealed TOTP secrets, the recovery codes' digests, the status API keys' digests."""


@pytest.fixture(scope="module")
async def database(infrastructure):
    """A migrated database owned by the owner, as the local stack's is."""
    name = f"roles_{os.getpid()}_{next(_numbers)}"
    await create_database(infrastructure.database_url, name, owner=OWNER)
    url = with_database(infrastructure.database_url, name)
    owner = infrastructure.role_url(name, OWNER)
    await asyncio.to_thread(apply_migrations, owner)
    return url


async def _as(database: str, role: str) -> asyncpg.Connection:
    """A superuser's connection acting as ``role``: privileges are then checked as that role's, whatever server
    the tests were given (a role's password is known only on a server started here)."""
    conn = await asyncpg.connect(database)
    await conn.execute(f'SET ROLE "{role}"')
    return conn


async def _refused(conn: asyncpg.Connection, statement: str) -> bool:
    try:
        async with conn.transaction():
            await conn.execute(statement)
    except asyncpg.InsufficientPrivilegeError:
        return True
    return False


def _outbox_row(schema: str) -> str:
    return f"INSERT INTO {schema}.outbox (topic, value) VALUES ('forged', '\\x00'::bytea)"


@pytest.mark.parametrize("service", sorted(SERVICE_ROLES))
async def test_a_service_writes_its_own_schema_and_cannot_touch_another(database, service):
    conn = await _as(database, SERVICE_ROLES[service])
    try:
        assert not await _refused(conn, _outbox_row(service)), f"{service} may write its own outbox"
        for other in SCHEMAS:
            if other == service:
                continue
            assert await _refused(conn, _outbox_row(other)), f"{service} wrote {other}'s outbox"
            assert await _refused(conn, f"DELETE FROM {other}.inbox_positions"), f"{service} changed {other}"
            if service != "portal":  # the portal's operator page reads a little of each, as the reader
                assert await _refused(conn, f"SELECT count(*) FROM {other}.kafka_cluster"), f"{service} read {other}"
        for secret in SECRETS:
            if not secret.startswith(f"{service}."):
                assert await _refused(conn, f"SELECT * FROM {secret}"), f"{service} read {secret}"
        assert await _refused(conn, f"CREATE TABLE {service}.made_by_a_service (x int)"), "only the owner alters"
        assert await _refused(conn, f"DROP TABLE {service}.outbox"), "only the owner drops"
        assert not await conn.fetchval(
            "SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = current_user"
        )
    finally:
        await conn.close()


async def test_the_reader_reads_what_the_operator_views_read_and_writes_nothing(database):
    conn = await _as(database, READER)
    try:
        for table in (*READER_READS, *(f"{schema}.outbox" for schema in SCHEMAS)):
            assert not await _refused(conn, f"SELECT count(*) FROM {table}"), f"the reader may read {table}"
        for secret in SECRETS:
            assert await _refused(conn, f"SELECT * FROM {secret}"), f"the reader read {secret}"
        for schema in SCHEMAS:
            assert await _refused(conn, _outbox_row(schema)), f"the reader wrote {schema}'s outbox"
        assert await _refused(conn, "UPDATE workflow.instances SET status_code = 80"), "the reader changed an item"
    finally:
        await conn.close()


async def test_the_portal_may_ask_dispatch_for_a_resend_and_change_nothing_of_dispatch_itself(database):
    portal, reader = await _as(database, SERVICE_ROLES["portal"]), await _as(database, READER)
    try:
        for statement in (
            "UPDATE dispatch.deliveries SET state = 'to_send'",
            "INSERT INTO dispatch.resends (dossier_item_id, attempt, aanleverkenmerk, previous_aanleverkenmerk,"
            " requested_by) VALUES (gen_random_uuid(), 2, 'x', 'y', 'z')",
        ):
            assert await _refused(portal, statement), statement
        # the one door: an item dispatch has no delivery of is answered, not refused
        outcome = await portal.fetchval("SELECT outcome FROM dispatch.request_resend(gen_random_uuid(), 'olga')")
        assert outcome == "absent"
        assert await _refused(reader, "SELECT * FROM dispatch.request_resend(gen_random_uuid(), 'olga')")
        for role in (*SERVICE_ROLES.values(),):
            if role != SERVICE_ROLES["portal"]:
                other = await _as(database, role)
                try:
                    assert await _refused(other, "SELECT * FROM dispatch.request_resend(gen_random_uuid(), 'x')"), role
                finally:
                    await other.close()
    finally:
        await portal.close()
        await reader.close()


async def test_the_embedded_server_asks_each_role_for_its_own_password_from_its_first_start_on(tmp_path):
    postgres = await asyncio.to_thread(LocalPostgres(tmp_path / "postgres").start)
    try:
        for start in ("first", "second"):
            for role in (OWNER, READER, *SERVICE_ROLES.values()):
                conn = await asyncpg.connect(postgres.role_url(role))
                assert await conn.fetchval("SELECT current_user") == role, f"{role} at the {start} start"
                await conn.close()
                another = postgres.passwords[READER if role != READER else OWNER]
                with pytest.raises(asyncpg.InvalidPasswordError):
                    await asyncpg.connect(as_role(postgres.url, role, another))
            with pytest.raises(asyncpg.InvalidPasswordError):  # no trust left, not even for the superuser
                await asyncpg.connect(postgres.url.replace(f":{postgres.passwords['postgres']}@", "@", 1))
            await asyncio.to_thread(postgres.stop)
            await asyncio.to_thread(postgres.start)
    finally:
        await asyncio.to_thread(postgres.stop)


def test_the_passwords_file_is_the_owners_alone(tmp_path):
    passwords = passwords_of(tmp_path / "postgres")
    assert stat.S_IMODE(passwords_file(tmp_path / "postgres").stat().st_mode) == 0o600
    assert set(passwords) >= {OWNER, READER, *SERVICE_ROLES.values()}
    assert len(set(passwords.values())) == len(passwords), "every role a password of its own"
    assert passwords_of(tmp_path / "postgres") == passwords, "made once"
