"""Fixtures for the intake domain tests: golden declarations, an authorisation table, a fixed intake time."""

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from services.intake.domain import Authorisations
from shared.contracts.inbound import EXAMPLES_DIR

MAX_BYTES = 1 << 20


def _golden(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES_DIR / f"inbound_{name}.json").read_text(encoding="utf-8"))


AUTHORISATIONS = {
    "sources": {
        "afas-fin": {"service_user": "svc-afas"},
        "nmbrs": {"service_user": "svc-nmbrs"},
        "exact": {"service_user": "svc-exact"},
        "caseware": {"service_user": "svc-caseware"},
    },
    "users": {
        "svc-afas": {"item_types": ["Accorderingsbericht"], "message_types": ["btw-aangifte", "btw-suppletieaangifte"]},
        "svc-nmbrs": {"item_types": ["Accorderingsbericht"], "message_types": ["loonheffing"]},
        "svc-exact": {"item_types": ["Accorderingsbericht"], "message_types": ["icp-aangifte"]},
        "svc-caseware": {"item_types": ["Accorderingsbericht"], "message_types": ["kvk-stukken"]},
        "m.devries": {"item_types": ["Accorderingsbericht"], "message_types": ["*"]},
        "a.bakker": {"item_types": ["Accorderingsbericht"], "message_types": ["kvk-stukken"]},
        "stagiair": {"item_types": [], "message_types": ["*"]},
    },
}


@pytest.fixture
def authorisations() -> Authorisations:
    return Authorisations.from_dict(AUTHORISATIONS)


@pytest.fixture
def now() -> datetime:
    return datetime(2025, 6, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def valid() -> dict[str, Any]:
    """A fresh, mutable copy of a valid declaration (btw-aangifte) as a JSON object."""
    return copy.deepcopy(_golden("btw_aangifte"))


@pytest.fixture
def golden() -> Callable[[str], dict[str, Any]]:
    """Loads ``shared/contracts/examples/inbound_<name>.json`` as a JSON object."""
    return _golden


@pytest.fixture
def encode() -> Callable[[Any], bytes]:
    return lambda value: json.dumps(value).encode("utf-8")
