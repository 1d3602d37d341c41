"""Logging: never base64 content; for confidential items no subject, document or attachment either."""

import base64
import dataclasses
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from services.intake.domain import BUILT_IN, Authorisations, DossierItem, accept_declaration, redact
from services.intake.domain.redaction import base64_size
from shared.contracts.inbound import InboundDeclaration
from tests.support.parties import GOLDEN_PARTIES

Golden = Callable[[str], dict[str, Any]]


def item_of(obj: dict[str, Any], authorisations: Authorisations, now: datetime, confidential: bool) -> DossierItem:
    decl = InboundDeclaration.model_validate(obj)
    item_type = dataclasses.replace(BUILT_IN, confidential=confidential)
    items = accept_declaration(
        decl, authorisations=authorisations, item_type=item_type, parties=GOLDEN_PARTIES, received_at=now
    )
    assert isinstance(items, list)
    return items[0]


def test_non_confidential_logs_names_and_sizes_but_never_content(
    golden: Golden, authorisations: Authorisations, now: datetime
) -> None:
    obj = golden("attachment_inline")
    logged = redact(item_of(obj, authorisations, now, confidential=False))
    text = json.dumps(logged)
    assert obj["document"]["content_base64"] not in text and obj["attachment"]["content_base64"] not in text
    assert logged["subject"] == obj["subject"]
    sizes = [len(base64.b64decode(obj[key]["content_base64"])) for key in ("document", "attachment")]
    assert logged["document"] == {
        "file_name": "jaarrekening-2024.xbrl",
        "mime_type": "application/xml",
        "size_bytes": sizes[0],
    }
    assert logged["attachment"] == {"file_name": "accountantsverklaring.pdf", "size_bytes": sizes[1]}


def test_confidential_logs_no_subject_document_or_attachment(
    golden: Golden, authorisations: Authorisations, now: datetime
) -> None:
    obj = golden("attachment_unc")
    obj["characteristics"] = {"tijdvak": "geheim-1"}
    logged = redact(item_of(obj, authorisations, now, confidential=True))
    text = json.dumps(logged)
    for secret in (obj["subject"], obj["document"]["file_name"], obj["attachment"]["file_name"], "Import", "geheim-1"):
        assert secret not in text
    assert "subject" not in logged
    assert logged["characteristics"] == ["tijdvak"]
    assert logged["message_id"] == obj["message_id"] and logged["confidential"] is True


def test_a_declaration_counts_as_confidential_unless_told_otherwise(golden: Golden) -> None:
    obj = golden("btw_aangifte")
    decl = InboundDeclaration.model_validate(obj)
    assert "subject" not in redact(decl)
    assert redact(decl, confidential=False)["subject"] == obj["subject"]
    assert obj["document"]["content_base64"] not in json.dumps(redact(decl, confidential=False))


def test_the_identity_number_is_masked(golden: Golden) -> None:
    decl = InboundDeclaration.model_validate(golden("loonheffing"))
    assert redact(decl, confidential=False)["identity"] == {"type": "LHnr", "number": "*********L01"}


def test_base64_size_matches_decoding() -> None:
    for n in range(10):
        assert base64_size(base64.b64encode(b"x" * n).decode()) == n
