"""Reading a configuration folder: workflows/*.yaml, routes.yaml and users.yaml, as text.

Only reads; judging the contents is validation's job, so a file that does not
parse is reported alongside every other problem instead of stopping the load.
"""

from pathlib import Path
from typing import NamedTuple

WORKFLOWS_FOLDER = "workflows"
ROUTES_FILE = "routes.yaml"
USERS_FILE = "users.yaml"


class ConfigFolder(NamedTuple):
    files: dict[str, str]
    """Workflow files: path relative to the folder (``workflows/standard.yaml``) → YAML text."""
    routes: str | None
    """The text of routes.yaml, None when there is none."""
    users: str | None
    """The text of users.yaml (groups), None when there is none."""


def load_config_folder(path: str | Path) -> ConfigFolder:
    root = Path(path)
    workflow_files = sorted(
        p for p in (root / WORKFLOWS_FOLDER).glob("*") if p.is_file() and p.suffix in (".yaml", ".yml")
    )
    return ConfigFolder(
        files={p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in workflow_files},
        routes=_text(root / ROUTES_FILE),
        users=_text(root / USERS_FILE),
    )


def _text(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None
