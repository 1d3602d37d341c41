"""The reason codes are a published contract: documented, stable in form, and every one is really produced."""

import base64
import dataclasses
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from accordeer.paths import REPO_ROOT
from services.intake.domain import (
    BUILT_IN,
    EXPLANATIONS,
    MESSAGE_REFUSALS,
    Authorisations,
    Declaration,
    ReasonCode,
    Refusal,
    accept_declaration,
    change_type_setting,
    check_origin,
    check_reuse,
    create_item_type,
    parse_declaration,
)
from shared.documents.loader import load_summary_config
from tests.support.parties import BAKKERIJ, GOLDEN_PARTIES

SUMMARIES = load_summary_config(REPO_ROOT / "deploy" / "config" / "summaries.yaml")


def test_every_code_is_snake_case_and_explained() -> None:
    for code in ReasonCode:
        assert re.fullmatch(r"[a-z]+(_[a-z0-9]+)*", code.value)
        assert code.explanation == EXPLANATIONS[code] and code.explanation.endswith(".")
    assert set(EXPLANATIONS) == set(ReasonCode)


def test_message_refusals_are_the_codes_a_message_can_get() -> None:
    assert ReasonCode.MESSAGE_ID_REUSED in MESSAGE_REFUSALS
    assert ReasonCode.SETTING_NOT_CHANGEABLE not in MESSAGE_REFUSALS


def test_every_code_is_produced(valid: dict[str, Any], authorisations: Authorisations) -> None:
    def parse(obj: Any) -> Any:
        return parse_declaration(json.dumps(obj).encode() if not isinstance(obj, bytes) else obj, max_bytes=32768)

    def accept(obj: dict[str, Any], item_type: Any = BUILT_IN) -> Any:
        decl = parse(obj)
        assert isinstance(decl, Declaration)
        return accept_declaration(
            decl,
            authorisations=authorisations,
            item_type=item_type,
            parties=GOLDEN_PARTIES,
            received_at=datetime.now(UTC),
            summaries=SUMMARIES,
        )

    def with_document(xml: bytes) -> dict[str, Any]:
        return valid | {"document": valid["document"] | {"content_base64": base64.b64encode(xml).decode()}}

    golden_xml = base64.b64decode(valid["document"]["content_base64"])

    attachment = {"file_name": "a.pdf", "content_base64": "QUJD"}
    produced: list[Callable[[], Any]] = [
        lambda: parse(b"{"),
        lambda: parse(b"\xff{}"),
        lambda: parse(b" " * 40000),
        lambda: parse(valid | {"schema_version": 2}),
        lambda: parse(valid | {"subject": ""}),
        lambda: parse(valid | {"subjekt": "x"}),
        lambda: parse(valid | {"reactions": []}),
        lambda: parse(valid | {"destinations": [{"employee_id": "1"}]}),
        lambda: parse(valid | {"attachment": {"file_name": "a.pdf", "location": "C:\\a.pdf"}}),
        lambda: parse(valid | {"attachments": [attachment, attachment]}),
        lambda: accept(valid | {"attachment": attachment}, dataclasses.replace(BUILT_IN, allows_file_link=False)),
        lambda: accept(valid | {"submitter": "stagiair"}),
        lambda: accept(valid | {"source": "twinfield"}),
        lambda: check_origin(parse(valid), topic="declarations.from.exact", topic_source="exact"),
        lambda: accept(valid | {"destinations": [{"organisation_person_id": "ORG-10045"}] * 2}),
        lambda: accept(valid | {"submitted_at": "2999-01-01T00:00:00Z"}),
        lambda: accept(valid | {"destinations": [{"organisation_person_id": "ORG-99999"}]}),
        lambda: accept_declaration(
            parse(valid),
            authorisations=authorisations,
            item_type=BUILT_IN,
            parties={"ORG-10045": BAKKERIJ.model_copy(update={"active": False})},
            received_at=datetime.now(UTC),
        ),
        lambda: accept(valid | {"destinations": [{"organisation_person_id": "ORG-10045", "contact_id": "CP-3101"}]}),
        lambda: accept(
            with_document(golden_xml.replace(b"001234567B01", b"009876543B01"))
            | {"identity": {"number": "NL009876543B01", "type": "BTW"}}
        ),
        lambda: accept(with_document(b"<xbrl>")),
        lambda: accept(with_document(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')),
        lambda: accept(
            with_document(re.sub(rb"<bd-i:ValueAddedTaxOwedToBePaidBack[^>]*>[^<]*</[^>]*>", b"", golden_xml))
        ),
        lambda: accept(with_document(golden_xml.replace(b"001234567B01", b"009876543B01"))),
        lambda: check_reuse("0" * 64, parse(valid)),
        create_item_type,
        lambda: change_type_setting(BUILT_IN, "allows_file_link", False),
        lambda: change_type_setting(BUILT_IN, "colour", "red"),
        lambda: change_type_setting(BUILT_IN, "confidential", "yes"),
    ]
    codes = []
    for make in produced:
        refusal = make()
        assert isinstance(refusal, Refusal), refusal
        codes.append(refusal.reason_code)
    assert sorted(codes) == sorted(ReasonCode)
