"""The people who operate Accordeer at the CLI, each with a Kafka principal of their own (``operator.<name>``).

The file (deploy/config/operators.yaml) lists their names. Each gets the operator's rights, but writes its actions
only on its own topic (workflow.actions.from.operator.<name>), so workflow audits the person who acted on someone's
behalf; the shared ``operator`` principal stays for the stack's own tooling.
"""

import re
from pathlib import Path

import yaml

from accordeer.paths import REPO_ROOT
from shared.topics import OPERATOR_WRITER

OPERATORS_FILE = REPO_ROOT / "deploy" / "config" / "operators.yaml"
NAME = re.compile(r"[a-z0-9](?:[a-z0-9.-]{0,38}[a-z0-9])?")


def principal_of(name: str) -> str:
    return f"{OPERATOR_WRITER}.{name}"


def configured_operators(path: Path = OPERATORS_FILE) -> list[str]:
    """The names in the file (none when it does not exist)."""
    if not path.exists():
        return []
    names = (yaml.safe_load(path.read_text()) or {}).get("operators") or []
    for name in names:
        check_name(name, path)
    return list(names)


def add_operator(path: Path, name: str) -> bool:
    """Add ``name`` to the file, keeping its comments; False when it is there already."""
    check_name(name, path)
    if name in configured_operators(path):
        return False
    text = path.read_text() if path.exists() else "operators: []\n"
    if re.search(r"^operators:\s*\[\]\s*$", text, flags=re.MULTILINE):
        text = re.sub(r"^operators:\s*\[\]\s*$", f"operators:\n  - {name}", text, count=1, flags=re.MULTILINE)
    elif re.search(r"^operators:\s*$", text, flags=re.MULTILINE):
        text = text.rstrip("\n") + f"\n  - {name}\n"
    else:
        raise ValueError(f"{path} has no 'operators:' list to add {name!r} to; add it by hand")
    path.write_text(text if text.endswith("\n") else text + "\n")
    return True


def check_name(name: object, where: Path | str) -> None:
    """A ValueError naming ``where`` (the file, or its name) unless ``name`` makes a principal name."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        file = where if isinstance(where, str) else where.name
        raise ValueError(
            f"{file}: an operator's name is 1-40 lowercase letters, digits, dots and inner hyphens"
            f" (e.g. 'm.devries'), not {name!r}"
        )
