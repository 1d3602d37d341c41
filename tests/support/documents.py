"""The golden declaration documents for tests, and a way to steer the mocked gateway through one.

The mocked Digipoort picks a status trail from a ``MOCK-TRAIL:<code>`` marker anywhere in the
decoded content (services/digipoort_mock/trails.py). ``document_with_marker`` puts that marker
in an XML comment, so the document stays valid XML and still yields its summary.
"""

import base64
import re

from shared.contracts.inbound import EXAMPLES_DIR

DOCUMENTS_DIR = EXAMPLES_DIR / "documents"

EXAMPLE_DOCUMENTS = {
    "attachment_inline": "kvk-stukken-2024-12345678.xbrl",
    "attachment_unc": "loonheffing-2025-03.xml",
    "btw_aangifte": "btw-aangifte-2025-01.xbrl",
    "btw_suppletieaangifte": "btw-suppletieaangifte-2024.xbrl",
    "icp_aangifte": "icp-aangifte-2024-q4.xbrl",
    "kvk_stukken": "kvk-stukken-2024-12345678.xbrl",
    "loonheffing": "loonheffing-2025-02.xml",
    "two_destinations": "btw-aangifte-2025-02.xbrl",
}
"""Golden example name (``inbound_<name>.json``) → the document its content_base64 holds."""

MESSAGE_TYPE_DOCUMENTS = {
    "btw-aangifte": "btw-aangifte-2025-01.xbrl",
    "btw-suppletieaangifte": "btw-suppletieaangifte-2024.xbrl",
    "icp-aangifte": "icp-aangifte-2024-q4.xbrl",
    "loonheffing": "loonheffing-2025-02.xml",
    "kvk-stukken": "kvk-stukken-2024-12345678.xbrl",
}
"""Message type → the document of its own golden example."""

_TRAIL = re.compile(r"(?:MOCK-TRAIL:)?(\w+)", re.ASCII)


def golden_document(message_type_or_example_name: str) -> bytes:
    """The golden document of a message type ("btw-aangifte") or of a golden example ("two_destinations")."""
    key = message_type_or_example_name
    name = MESSAGE_TYPE_DOCUMENTS.get(key) or EXAMPLE_DOCUMENTS.get(key)
    if name is None:
        known = sorted(MESSAGE_TYPE_DOCUMENTS) + sorted(EXAMPLE_DOCUMENTS)
        raise KeyError(f"no golden document for {key!r}; known: {', '.join(known)}")
    return (DOCUMENTS_DIR / name).read_bytes()


def document_with_marker(message_type_or_example_name: str, marker: str) -> str:
    """content_base64 of the golden document with ``<!-- MOCK-TRAIL:<marker> -->`` after its XML declaration.

    `marker` is the trail's code ("510"); "MOCK-TRAIL:510" works too.
    """
    match = _TRAIL.fullmatch(marker)
    if match is None:
        raise ValueError(f"a mock trail is a code such as '510', not {marker!r}")
    document = golden_document(message_type_or_example_name)
    # A comment is allowed anywhere after the XML declaration, which itself must stay first.
    at = document.index(b"?>") + len(b"?>") if document.startswith(b"<?xml") else 0
    comment = f"\n<!-- MOCK-TRAIL:{match.group(1)} -->".encode()
    return base64.b64encode(document[:at] + comment + document[at:]).decode()
