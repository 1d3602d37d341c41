"""The shipped summary configuration and the golden documents, for the document tests (no infrastructure)."""

from pathlib import Path

import pytest

from shared.documents.config import SummaryConfig
from shared.documents.loader import load_summary_config

REPO_ROOT = Path(__file__).resolve().parents[3]
SUMMARIES_YAML = REPO_ROOT / "deploy" / "config" / "summaries.yaml"


@pytest.fixture(scope="session")
def config() -> SummaryConfig:
    return load_summary_config(SUMMARIES_YAML)
