"""Reading a configuration folder: workflows/*.yaml, routes.yaml, users.yaml and the item type's own files
(reaction_templates.yaml, item_type.yaml), as text.

Only reads; judging the contents is validation's job, so a file that does not
parse is reported alongside every other problem instead of stopping the load.
"""

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from shared import item_type, reaction_templates

WORKFLOWS_FOLDER = "workflows"
ROUTES_FILE = "routes.yaml"
ITEM_TYPE_FILES = {reaction_templates.FILE: reaction_templates.parse, item_type.FILE: item_type.parse}
"""The item type's own files, each with what checks it (raising ValueError with what is wrong). Workflow does
not use them; it checks and publishes them with the rest, and the portal and intake take them from there."""
USERS_FILE = "users.yaml"


class ConfigFolder(NamedTuple):
    files: dict[str, str]
    """Workflow files: path relative to the folder (``workflows/standard.yaml``) → YAML text."""
    routes: str | None
    """The text of routes.yaml, None when there is none."""
    users: str | None
    """The text of users.yaml (groups), None when there is none."""
    item_type: Mapping[str, str] = MappingProxyType({})
    """The item type's own files that are there (``ITEM_TYPE_FILES``) → their text."""


def load_config_folder(path: str | Path) -> ConfigFolder:
    root = Path(path)
    workflow_files = sorted(
        p for p in (root / WORKFLOWS_FOLDER).glob("*") if p.is_file() and p.suffix in (".yaml", ".yml")
    )
    return ConfigFolder(
        files={p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in workflow_files},
        routes=_text(root / ROUTES_FILE),
        users=_text(root / USERS_FILE),
        item_type={name: text for name in ITEM_TYPE_FILES if (text := _text(root / name)) is not None},
    )


def _text(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None
