"""Declarations for tests, built from the golden examples of the contract."""

import json
from pathlib import Path

from shared.contracts.inbound import EXAMPLES_DIR


def example(name: str, **changes) -> dict:
    """The golden example ``inbound_<name>.json`` with ``changes`` applied (e.g. a fresh message_id)."""
    document = json.loads((Path(EXAMPLES_DIR) / f"inbound_{name}.json").read_text())
    document.update(changes)
    return document
