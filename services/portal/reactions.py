"""Reactiesjablonen: texts a comment may start from, configured per dossier item type (as in Profit)."""

from pathlib import Path

import yaml

ITEM_TYPE = "Accorderingsbericht"


def load_reactions(path: Path) -> dict[str, str]:
    """The reaction templates of Accorderingsbericht (name → text); none when the file is absent."""
    if not path.exists():
        return {}
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    templates = document.get(ITEM_TYPE) or {}
    if not isinstance(templates, dict) or not all(isinstance(v, str) for v in templates.values()):
        raise ValueError(f"{path}: {ITEM_TYPE} must map template names to texts")
    return {str(name): text for name, text in templates.items()}
