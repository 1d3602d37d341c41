"""How a command finds the system: the settings, or else the local stack that `make run` keeps in .data/."""

import os
from pathlib import Path

from accordeer.paths import REPO_ROOT
from shared.db.roles import OWNER
from shared.settings import Settings

DATA_DIR = Path(os.environ.get("ACCORDEER_DATA_DIR", REPO_ROOT / ".data"))
CACHE_DIR = Path(os.environ.get("ACCORDEER_CACHE_DIR", REPO_ROOT / ".cache"))


class NotRunning(RuntimeError):
    """No database is configured and no local stack is running."""


def database_url(settings: Settings, role: str = OWNER) -> str:
    """The settings' database, or the running local stack's as ``role``: the owner for what administers (publish,
    load, resend, forget), the reader for what only reads across schemas (status, history). Each kind of local
    Kafka has its PostgreSQL in a folder of its own: .data/postgres, postgres-secure, postgres-cluster,
    postgres-cluster-secure."""
    if settings.database_url:
        return settings.database_url
    from accordeer.localstack.postgres import running_role_url

    for folder in sorted(path for path in DATA_DIR.glob("postgres*") if path.is_dir()):
        if (url := running_role_url(folder, role)) is not None:
            return url
    raise NotRunning("no DATABASE_URL is set and the local stack is not running (start it with `make run`)")


def settings_with_database(settings: Settings | None = None, role: str = OWNER) -> Settings:
    settings = settings or Settings()
    return settings.model_copy(update={"database_url": database_url(settings, role)})
