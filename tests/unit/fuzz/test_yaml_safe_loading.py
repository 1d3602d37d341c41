"""YAML configuration is loaded safely everywhere: no loader in the code can build a Python object, and every
reader of a configuration file refuses ``!!python/...`` tags (the command in them never runs)."""

import ast
import importlib
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from accordeer.directory.files import read_directory_file
from accordeer.paths import REPO_ROOT
from services.dispatch.config import load_gateway_config
from services.notifier.recipients import load_office_users
from services.portal.accounts import load_accounts
from services.portal.reactions import load_reactions
from services.workflow.domain.yaml_text import YamlTextError, parse_yaml
from shared import item_type
from shared.documents.loader import SummaryConfigError, load_summary_config
from shared.kafka.admin import topic_spec

CODE = [p for folder in ("accordeer", "services", "shared") for p in (REPO_ROOT / folder).rglob("*.py")]
UNSAFE_CALLS = {"unsafe_load", "unsafe_load_all", "full_load", "full_load_all"}
UNSAFE_NAMES = {"Loader", "FullLoader", "UnsafeLoader", "CLoader", "CFullLoader", "CUnsafeLoader"}


def _yaml_calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "yaml"
        ):
            yield node


def test_no_unsafe_loader_anywhere_in_the_code():
    found = []
    for path in CODE:
        for call in _yaml_calls(path):
            where = f"{path.relative_to(REPO_ROOT)}:{call.lineno}"
            if call.func.attr in UNSAFE_CALLS | UNSAFE_NAMES:
                found.append(f"{where} yaml.{call.func.attr}")
            if call.func.attr in ("load", "load_all"):
                loader = next(
                    (k.value for k in call.keywords if k.arg == "Loader"), call.args[1] if len(call.args) > 1 else None
                )
                module = importlib.import_module(".".join(path.relative_to(REPO_ROOT).with_suffix("").parts))
                resolved = _resolve(loader, module)
                if not (isinstance(resolved, type) and issubclass(resolved, yaml.SafeLoader)):
                    found.append(f"{where} yaml.{call.func.attr} with a loader that is not a SafeLoader")
        text = path.read_text()
        found += [f"{path.relative_to(REPO_ROOT)} names yaml.{n}" for n in UNSAFE_NAMES if f"yaml.{n}" in text]
    assert not found, found
    assert sum(1 for p in CODE for c in _yaml_calls(p) if c.func.attr == "safe_load") >= 5  # the scan sees them


def _resolve(node, module):
    if isinstance(node, ast.Name):
        return getattr(module, node.id, None)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "yaml":
        return getattr(yaml, node.attr, None)
    return None


def _hostile(marker: Path) -> list[str]:
    return [
        f'users: !!python/object/apply:os.system ["touch {marker}"]',
        f'!!python/object/apply:subprocess.check_output [["touch", "{marker}"]]',
        "parties: !!python/name:os.system",
        f'x: !!python/object/new:os.system ["touch {marker}"]',
        "a: !!python/object:builtins.object {}",
    ]


def _readers(tmp_path: Path):
    """Each reader of a configuration file, given the file's text; a clear refusal is an exception it raises."""

    def at(name: str):
        def read(text: str):
            path = tmp_path / name
            path.write_text(text)
            return path

        return read

    return {
        "workflows (parse_yaml)": parse_yaml,
        "directory file": _directory_refusal,
        "portal users": lambda t: load_accounts(at("portal_users.yaml")(t)),
        "reaction templates": lambda t: load_reactions(at("reaction_templates.yaml")(t)),
        "item type settings": item_type.parse,
        "summaries": lambda t: load_summary_config(at("summaries.yaml")(t)),
        "gateway": lambda t: load_gateway_config(at("gateway.yaml")(t).parent),
        "office users": lambda t: load_office_users(at("users.yaml")(t)),
        "topics": lambda t: topic_spec("", at("topics.yaml")(t)),
    }


def _directory_refusal(text: str) -> None:
    result = read_directory_file("directory.yaml", text)
    assert not result.ok and "not valid YAML" in result.errors[0]
    raise yaml.YAMLError(result.errors[0])


@pytest.mark.parametrize("reader", list(_readers(Path("/nonexistent"))))
def test_every_configuration_reader_refuses_python_tags_and_runs_nothing(reader, tmp_path):
    marker = tmp_path / "ran"
    read = _readers(tmp_path)[reader]
    for document in _hostile(marker):
        with pytest.raises((yaml.YAMLError, YamlTextError, SummaryConfigError, ValueError)) as refused:
            read(document)
        assert "python" in str(refused.value), f"{reader}: the refusal does not say what was refused"
        assert not marker.exists(), f"{reader} ran the command in {document!r}"


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_any_text_as_a_workflow_is_a_document_or_a_clear_yaml_error(text):
    try:
        parse_yaml(text)
    except YamlTextError as error:
        assert "line" in str(error) or str(error)
