"""Only new items: the same message_id with the same content is a no-op, with other content a refusal."""

import json
from typing import Any

from services.intake.domain import Declaration, ReasonCode, Refusal, check_reuse, fingerprint, parse_declaration


def parsed(obj: dict[str, Any], **dumps: Any) -> Declaration:
    decl = parse_declaration(json.dumps(obj, **dumps).encode(), max_bytes=1 << 20)
    assert isinstance(decl, Declaration)
    return decl


def test_a_message_id_not_seen_before_is_new(valid: dict[str, Any]) -> None:
    assert check_reuse(None, parsed(valid)) == "new"


def test_the_same_content_again_is_a_duplicate_whatever_the_formatting(valid: dict[str, Any]) -> None:
    stored = fingerprint(parsed(valid))
    again = parsed(dict(reversed(list(valid.items()))), indent=4)
    assert check_reuse(stored, again) == "duplicate"


def test_other_content_under_the_same_message_id_is_refused(valid: dict[str, Any]) -> None:
    stored = fingerprint(parsed(valid))
    refusal = check_reuse(stored, parsed(valid | {"subject": "Btw-aangifte januari 2025 (gecorrigeerd)"}))
    assert isinstance(refusal, Refusal) and refusal.reason_code == ReasonCode.MESSAGE_ID_REUSED
    assert "message id already used with other content" in refusal.message
    assert (refusal.message_id, refusal.source) == (valid["message_id"], valid["source"])


def test_every_field_counts(valid: dict[str, Any]) -> None:
    base = fingerprint(parsed(valid))
    variants = [
        valid | {"free_fields": valid["free_fields"] | {"nihil": True}},
        valid | {"delivery_method_choice": "Per post"},
        valid | {"destinations": [*valid["destinations"], {"organisation_person_id": "ORG-2"}]},
        valid | {"submitted_at": "2025-02-03T08:30:00Z"},  # the same instant, written differently, is other content
    ]
    assert len({base, *(fingerprint(parsed(v)) for v in variants)}) == len(variants) + 1


def test_an_absent_optional_field_equals_an_explicit_null(valid: dict[str, Any]) -> None:
    assert "attachment" not in valid
    assert fingerprint(parsed(valid)) == fingerprint(parsed(valid | {"attachment": None}))


def test_the_fingerprint_is_a_stable_sha256(valid: dict[str, Any]) -> None:
    value = fingerprint(parsed(valid))
    assert len(value) == 64 and int(value, 16) >= 0
    assert value == fingerprint(parsed(valid))
