"""Shared fixtures: the shipped configuration under deploy/config."""

from pathlib import Path

import pytest

from services.workflow.domain import Directory, WorkflowDefinition, check_config, load_config_folder

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = ROOT / "deploy" / "config"


@pytest.fixture(scope="session")
def shipped_folder() -> Path:
    return SHIPPED


@pytest.fixture(scope="session")
def shipped(shipped_folder):
    return check_config(load_config_folder(shipped_folder))


@pytest.fixture(scope="session")
def standard(shipped) -> WorkflowDefinition:
    return shipped.workflows["standard"]


@pytest.fixture(scope="session")
def directory(shipped) -> Directory:
    """The shipped groups, for an item whose client (``@destination``) is the portal user ``klant``."""
    return shipped.directory.with_destination(("klant",))


@pytest.fixture(scope="session")
def standard_text() -> str:
    return (SHIPPED / "workflows" / "standard.yaml").read_text(encoding="utf-8")
