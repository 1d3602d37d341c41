"""Schema migrations (yoyo-migrations, plain SQL files in deploy/migrations), applied idempotently."""

from pathlib import Path

from yoyo import get_backend, read_migrations

from shared.settings import Settings


def migrations_dir() -> Path:
    """migrations/ of the settings' deploy folder."""
    return Settings().deploy_dir / "migrations"


def yoyo_url(database_url: str) -> str:
    """yoyo names its driver in the scheme; asyncpg-style URLs (incl. ?host=/socket) carry over."""
    scheme, rest = database_url.split("://", 1)
    return f"postgresql+psycopg://{rest}" if scheme in ("postgresql", "postgres") else database_url


def apply_migrations(database_url: str, folder: Path | None = None) -> list[str]:
    """Apply every migration not yet applied; returns their ids. Safe to run from several processes."""
    backend = get_backend(yoyo_url(database_url))
    try:
        migrations = read_migrations(str(folder or migrations_dir()))
        with backend.lock():
            pending = backend.to_apply(migrations)
            backend.apply_migrations(pending)
        return [m.id for m in pending]
    finally:
        # yoyo leaves its connection to the garbage collector; a database still connected cannot be copied.
        backend.connection.close()
