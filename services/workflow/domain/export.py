"""A published configuration as a configuration folder again: what `accordeer workflows export` writes, `diff`
compares and `publish --version` publishes anew (through the same validation as any folder). Each workflow is
written whole, as it was resolved when published (no ``based_on``); ``users.yaml`` holds the groups the
publication used (the office's users, names and e-mails, stay in the configuration folder's own users.yaml).
"""

import re
from collections.abc import Iterable, Mapping

import yaml

from .definition import WorkflowDefinition
from .directory import Directory
from .loading import ITEM_TYPE_FILES, ROUTES_FILE, USERS_FILE, WORKFLOWS_FOLDER, ConfigFolder
from .routing import RouteRule


def file_name(workflow: str) -> str:
    """``Belastingdienst Utrecht`` → ``workflows/belastingdienst-utrecht.yaml``."""
    return f"{WORKFLOWS_FOLDER}/{re.sub(r'[^a-z0-9]+', '-', workflow.lower()).strip('-') or 'workflow'}.yaml"


def folder_of(
    workflows: Mapping[str, WorkflowDefinition],
    routes: Iterable[RouteRule],
    directory: Directory,
    item_type: Mapping[str, str] | None = None,
) -> ConfigFolder:
    return ConfigFolder(
        files={file_name(name): _yaml(workflows[name].as_document()) for name in sorted(workflows)},
        routes=_yaml([rule.model_dump(mode="json", exclude_defaults=True) for rule in routes]),
        users=_yaml({"groups": {group: sorted(members) for group, members in sorted(directory.groups.items())}}),
        item_type=dict(item_type or {}),
    )


def texts(folder: ConfigFolder) -> dict[str, str]:
    """Every file of the folder by its path in it (the item type's own only when it has them)."""
    return {**folder.files, ROUTES_FILE: folder.routes or "", USERS_FILE: folder.users or "", **folder.item_type}


def folder_from(files: Mapping[str, str]) -> ConfigFolder:
    """The folder ``texts`` gave (what a set-up command carries); any other path is not read."""
    return ConfigFolder(
        files={name: text for name, text in files.items() if name.startswith(f"{WORKFLOWS_FOLDER}/")},
        routes=files.get(ROUTES_FILE),
        users=files.get(USERS_FILE),
        item_type={name: text for name, text in files.items() if name in ITEM_TYPE_FILES},
    )


def _yaml(document: object) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)
