"""How a command finds the system: the settings, or else the local stack that `make run` keeps in .data/."""

import os
from pathlib import Path

from shared.settings import REPO_ROOT, Settings

DATA_DIR = Path(os.environ.get("ACCORDEER_DATA_DIR", REPO_ROOT / ".data"))
CACHE_DIR = Path(os.environ.get("ACCORDEER_CACHE_DIR", REPO_ROOT / ".cache"))


class NotRunning(RuntimeError):
    """No database is configured and no local stack is running."""


def database_url(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    from accordeer.localstack.postgres import running_server_url

    url = running_server_url(DATA_DIR / "postgres")
    if url is None:
        raise NotRunning("no DATABASE_URL is set and the local stack is not running (start it with `make run`)")
    return url


def settings_with_database(settings: Settings | None = None) -> Settings:
    settings = settings or Settings()
    return settings.model_copy(update={"database_url": database_url(settings)})
