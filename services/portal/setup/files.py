"""What a published version's files hold, as the set-up pages read and change them: its workflows, groups,
mapping, reaction templates and the item type's setting. Workflow checked every file before it published it."""

from collections.abc import Mapping
from typing import Any

import yaml

from shared import item_type, reaction_templates
from shared.reaction_templates import ReactionTemplate

WORKFLOWS = "workflows/"
ROUTES = "routes.yaml"
USERS = "users.yaml"


def workflows_of(files: Mapping[str, str]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each workflow of a version by name → (its file, its document)."""
    found = {}
    for path, text in sorted(files.items()):
        if path.startswith(WORKFLOWS):
            document = yaml.safe_load(text) or {}
            found[str(document.get("name", path))] = (path, document)
    return found


def groups_of(files: Mapping[str, str]) -> list[str]:
    return sorted((yaml.safe_load(files.get(USERS) or "") or {}).get("groups", {}) or {})


def settings_of(files: Mapping[str, str]) -> item_type.ItemTypeSettings:
    """The item type's settings in the version (the defaults when it has none)."""
    return item_type.parse(files.get(item_type.FILE))


def with_settings(files: Mapping[str, str], confidential: bool) -> dict[str, str]:
    return {**files, item_type.FILE: item_type.dump(item_type.ItemTypeSettings(confidential=confidential))}


def templates_of(files: Mapping[str, str]) -> list[ReactionTemplate]:
    """The version's reaction templates (workflow checked the file before publishing it)."""
    return reaction_templates.parse(files.get(reaction_templates.FILE))


def as_yaml(document: object) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)
