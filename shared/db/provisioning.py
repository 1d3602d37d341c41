"""Making the roles of shared/db/roles.py on a server: the one step that needs a superuser, or a role that may
create roles. psycopg (libpq) rather than asyncpg: it turns a password into a SCRAM verifier on this side."""

from collections.abc import Iterable, Mapping

import psycopg
from psycopg import sql

from shared.db.roles import MEMBERSHIPS, OWNER, ROLES, SCHEMAS, RolesMissing, role_of


def missing_roles(conn: psycopg.Connection) -> list[str]:
    present = {row[0] for row in conn.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", (list(ROLES),))}
    return [role for role in ROLES if role not in present]


def ensure_roles(database_url: str) -> list[str]:
    """Create the roles missing on the server (without login: a deployment gives each its password), when the
    connected role may; the roles created. Raises RolesMissing with what to do when it may not."""
    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
        missing = missing_roles(conn)
        if not missing:
            return []
        may = conn.execute("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user").fetchone()
        if not (may and may[0]):
            raise RolesMissing(
                f"the database has no role {', '.join(missing)} and {role_of(database_url) or 'this role'} may not "
                "create roles: create them first (SECURITY.md, 'PostgreSQL: a role per service')"
            )
        _create(conn, missing)
        return missing


def provision(superuser_url: str, passwords: Mapping[str, str], database: str, *, superuser: str | None = None) -> None:
    """As a superuser: every role exists and logs in with its password (sent as a SCRAM verifier, so the server
    never sees the password itself), the owner owns ``database`` and whatever an earlier version made there as
    another role. ``superuser``: that role's password is set too. Idempotent; run at every start of the local
    stack."""
    with psycopg.connect(libpq_url(superuser_url), autocommit=True) as conn:
        _create(conn, missing_roles(conn))
        for role in (*ROLES, *([superuser] if superuser else [])):
            verifier = conn.pgconn.encrypt_password(passwords[role].encode(), role.encode(), b"scram-sha-256")
            conn.execute(
                sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(role), sql.Literal(verifier.decode()))
            )
        conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(database), sql.Identifier(OWNER)))
        _hand_over(conn, SCHEMAS)


def _create(conn: psycopg.Connection, roles: Iterable[str]) -> None:
    for role in roles:
        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
    for granted, member in MEMBERSHIPS:
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(granted), sql.Identifier(member)))


_HAND_OVER = sql.SQL("""
DO $$
DECLARE object record;
BEGIN
  FOR object IN SELECT nspname FROM pg_namespace WHERE nspname = ANY({schemas}) AND nspowner <> {owner}::regrole LOOP
    EXECUTE format('ALTER SCHEMA %I OWNER TO %I', object.nspname, {owner});
  END LOOP;
  FOR object IN SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE (n.nspname = ANY({schemas}) OR (n.nspname = 'public' AND c.relname LIKE '%yoyo%'))
                  AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relowner <> {owner}::regrole LOOP
    EXECUTE format('ALTER TABLE %s OWNER TO %I', object.name, {owner});
  END LOOP;
  FOR object IN SELECT p.oid::regprocedure AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname = ANY({schemas} || ARRAY['public']) AND p.proowner <> {owner}::regrole LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO %I', object.name, {owner});
  END LOOP;
END $$
""")


def _hand_over(conn: psycopg.Connection, schemas: Iterable[str]) -> None:
    """What a version before the roles made as the superuser (a local stack's .data kept across an upgrade) is
    handed to the owner, so the owner's migrations may grant on it."""
    conn.execute(_HAND_OVER.format(schemas=sql.Literal(list(schemas)), owner=sql.Literal(OWNER)))


def libpq_url(database_url: str) -> str:
    """libpq (psycopg) takes the same URLs as asyncpg, Unix-socket ?host= included."""
    return database_url.replace("postgres://", "postgresql://", 1)
