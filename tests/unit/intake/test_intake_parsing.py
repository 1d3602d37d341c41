"""parse_declaration: one test per refusal it can give, in the order the checks run."""

import json
from collections.abc import Callable
from typing import Any

import pytest

from services.intake.domain import Declaration, ReasonCode, Refusal, parse_declaration
from services.intake.domain.raw import MAX_DEPTH

MAX = 1 << 20
Encode = Callable[[Any], bytes]


def refused(raw: Any, max_bytes: int = MAX) -> Refusal:
    result = parse_declaration(raw, max_bytes=max_bytes)
    assert isinstance(result, Refusal), result
    return result


def test_a_valid_declaration_parses(valid: dict[str, Any], encode: Encode) -> None:
    decl = parse_declaration(encode(valid), max_bytes=MAX)
    assert isinstance(decl, Declaration)
    assert decl.message_id == valid["message_id"]


def test_too_large_is_checked_first_and_still_names_the_ids(valid: dict[str, Any], encode: Encode) -> None:
    raw = encode(valid)
    refusal = refused(raw + b"\xff", max_bytes=len(raw))
    assert refusal.reason_code == ReasonCode.TOO_LARGE
    assert f"{len(raw) + 1:,} bytes" in refusal.message and f"{len(raw):,}" in refusal.message
    assert (refusal.message_id, refusal.source) == (valid["message_id"], valid["source"])


def test_exactly_the_limit_is_allowed(valid: dict[str, Any], encode: Encode) -> None:
    raw = encode(valid)
    assert isinstance(parse_declaration(raw, max_bytes=len(raw)), Declaration)


def test_not_utf8(valid: dict[str, Any]) -> None:
    raw = json.dumps(valid, ensure_ascii=False).replace("januari", "janu\udcffari").encode("utf-8", "surrogateescape")
    refusal = refused(raw)
    assert refusal.reason_code == ReasonCode.NOT_UTF8 and "UTF-8" in refusal.message
    assert refusal.message_id == valid["message_id"]


def test_latin1_text_is_not_utf8(valid: dict[str, Any]) -> None:
    valid["subject"] = "Aangifte café"
    assert refused(json.dumps(valid, ensure_ascii=False).encode("latin-1")).reason_code == ReasonCode.NOT_UTF8


def test_an_escaped_unpaired_surrogate_is_not_utf8(valid: dict[str, Any], encode: Encode) -> None:
    valid["subject"] = "bad \ud800 text"
    refusal = refused(encode(valid))  # json.dumps escapes it as \ud800
    assert refusal.reason_code == ReasonCode.NOT_UTF8 and refusal.message.startswith("subject:")


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   ",
        b"{",
        b"not json",
        b"{'a': 1}",
        b"\xef\xbb\xbf{}",
        b"[1, 2]",
        b"42",
        b'"text"',
        b"null",
        b'{"a": NaN}',
        b'{"a": 1e400}',
        b"1" * 5000,
        None,
        42,
    ],
)
def test_not_json(raw: Any) -> None:
    assert refused(raw).reason_code == ReasonCode.NOT_JSON


def test_not_an_object_says_what_it_is() -> None:
    assert "JSON array, not an object" in refused(b"[]").message


def test_too_deep_is_not_json(valid: dict[str, Any], encode: Encode) -> None:
    nested: Any = "x"
    for _ in range(MAX_DEPTH + 1):
        nested = [nested]
    valid["delivery_method_choice"] = nested
    refusal = refused(encode(valid))
    assert refusal.reason_code == ReasonCode.NOT_JSON and "levels deep" in refusal.message
    assert refusal.message_id == valid["message_id"]
    assert refused(b"[" * 200_000).reason_code == ReasonCode.NOT_JSON


def test_ids_are_sniffed_from_broken_json(valid: dict[str, Any], encode: Encode) -> None:
    refusal = refused(encode(valid)[:-5])
    assert refusal.reason_code == ReasonCode.NOT_JSON
    assert (refusal.message_id, refusal.source) == (valid["message_id"], valid["source"])


@pytest.mark.parametrize("version", [None, 2, "1", 1.0, True, 0])
def test_unknown_schema_version(valid: dict[str, Any], encode: Encode, version: Any) -> None:
    if version is None:
        del valid["schema_version"]
    else:
        valid["schema_version"] = version
    refusal = refused(encode(valid))
    assert refusal.reason_code == ReasonCode.UNKNOWN_SCHEMA_VERSION and "version 1" in refusal.message
    assert (refusal.message_id, refusal.source) == (valid["message_id"], valid["source"])


def test_schema_version_is_checked_before_anything_else_in_the_object(encode: Encode) -> None:
    refusal = refused(encode({"schema_version": 2, "reactions": [], "message_id": "m-1", "source": "nmbrs"}))
    assert refusal.reason_code == ReasonCode.UNKNOWN_SCHEMA_VERSION
    assert (refusal.message_id, refusal.source) == ("m-1", "nmbrs")


@pytest.mark.parametrize("key", ["reactions", "reacties"])
def test_reactions_cannot_be_imported(valid: dict[str, Any], encode: Encode, key: str) -> None:
    valid[key] = [{"text": "Klopt dit?"}]
    refusal = refused(encode(valid))
    assert refusal.reason_code == ReasonCode.REACTIONS_NOT_IMPORTABLE
    assert "reactions cannot be imported" in refusal.message
    assert refusal.message_id == valid["message_id"]


@pytest.mark.parametrize(
    "key,kind",
    [
        ("employee_id", "employee ids"),
        ("medewerker_id", "employee ids"),
        ("sales_relation_id", "sales-relation ids"),
        ("verkooprelatie_id", "sales-relation ids"),
        ("debtor_id", "debtor ids"),
        ("debiteur_id", "debtor ids"),
        ("creditor_id", "creditor ids"),
        ("project_id", "project_id"),
    ],
)
def test_destination_references_other_than_organisation_person_and_contact(
    valid: dict[str, Any], encode: Encode, key: str, kind: str
) -> None:
    valid["destinations"].append({key: "1234"})
    refusal = refused(encode(valid))
    assert refusal.reason_code == ReasonCode.DESTINATION_REFERENCE_NOT_ALLOWED
    assert refusal.message == (
        f"destinations[1].{key}: destinations are given only by organisation_person_id and optional contact_id;"
        f" {kind} cannot be used"
    )


def test_a_reference_beside_an_organisation_person_id_is_refused_too(valid: dict[str, Any], encode: Encode) -> None:
    valid["destinations"][0]["employee_id"] = "M0001"
    assert refused(encode(valid)).reason_code == ReasonCode.DESTINATION_REFERENCE_NOT_ALLOWED


@pytest.mark.parametrize(
    "extra",
    [
        {
            "attachments": [
                {"file_name": "a.pdf", "content_base64": "QUJD"},
                {"file_name": "b.pdf", "content_base64": "QUJD"},
            ]
        },
        {
            "attachment": [
                {"file_name": "a.pdf", "content_base64": "QUJD"},
                {"file_name": "b.pdf", "content_base64": "QUJD"},
            ]
        },
        {
            "attachment": {"file_name": "a.pdf", "content_base64": "QUJD"},
            "attachments": [{"file_name": "b.pdf", "content_base64": "QUJD"}],
        },
    ],
)
def test_too_many_attachments(valid: dict[str, Any], encode: Encode, extra: dict[str, Any]) -> None:
    valid.update(extra)
    refusal = refused(encode(valid))
    assert refusal.reason_code == ReasonCode.TOO_MANY_ATTACHMENTS and "at most one attachment" in refusal.message


@pytest.mark.parametrize(
    "location,unc",
    [
        ("C:\\Import\\Te importeren bijlage.pdf", "\\\\client\\C$\\Import\\Te importeren bijlage.pdf"),
        ("d:/scans/2025/a.pdf", "\\\\client\\D$\\scans\\2025\\a.pdf"),
    ],
)
def test_local_drive_path_is_refused_showing_the_unc_form(
    valid: dict[str, Any], encode: Encode, location: str, unc: str
) -> None:
    valid["attachment"] = {"file_name": "a.pdf", "location": location}
    refusal = refused(encode(valid))
    assert refusal.reason_code == ReasonCode.LOCAL_DRIVE_PATH
    assert f"'{location}'" in refusal.message and f"'{unc}'" in refusal.message


def test_a_location_that_is_neither_unc_nor_a_drive_is_invalid(valid: dict[str, Any], encode: Encode) -> None:
    valid["attachment"] = {"file_name": "a.pdf", "location": "/mnt/import/a.pdf"}
    refusal = refused(encode(valid))
    assert refusal.reason_code == ReasonCode.INVALID_SCHEMA and refusal.message.startswith("attachment.location: ")


def test_unc_and_inline_attachments_parse(golden: Callable[[str], dict[str, Any]], encode: Encode) -> None:
    for name in ("attachment_unc", "attachment_inline"):
        assert isinstance(parse_declaration(encode(golden(name)), max_bytes=MAX), Declaration)


def test_unknown_field_is_named_first(valid: dict[str, Any], encode: Encode) -> None:
    valid["subjct"] = valid.pop("subject")
    refusal = refused(encode(valid))
    assert refusal.reason_code == ReasonCode.UNKNOWN_FIELD
    assert refusal.message.startswith(
        "the message does not match inbound declaration version 1: subjct: is not a field of inbound declaration"
    )
    assert "subject: is required" in refusal.message


def test_invalid_schema_lists_every_field_and_problem(valid: dict[str, Any], encode: Encode) -> None:
    del valid["identity"]
    valid["subject"] = "x" * 256
    valid["destinations"][0]["contact_id"] = 7
    refusal = refused(encode(valid))
    assert refusal.reason_code == ReasonCode.INVALID_SCHEMA
    for part in (
        "subject: must have at most 255 characters",
        "destinations[0].contact_id: must be a string",
        "identity: is required",
    ):
        assert part in refusal.message
    assert (refusal.message_id, refusal.source) == (valid["message_id"], valid["source"])


def test_nul_characters_cannot_be_stored(valid: dict[str, Any], encode: Encode) -> None:
    valid["characteristics"]["periode"] = "2025\u000001"
    refusal = refused(encode(valid))
    assert refusal.reason_code == ReasonCode.INVALID_SCHEMA and refusal.message.startswith("characteristics.periode:")


def test_duplicate_keys_are_refused(valid: dict[str, Any]) -> None:
    raw = json.dumps(valid)[:-1] + ', "subject": "other"}'
    refusal = refused(raw.encode())
    assert refusal.reason_code == ReasonCode.INVALID_SCHEMA and '"subject" more than once' in refusal.message


@pytest.mark.parametrize("message_id", [7, "", "x" * 101, "a\u0000b"])
def test_an_id_is_only_reported_when_it_is_itself_valid(valid: dict[str, Any], encode: Encode, message_id: Any) -> None:
    valid["message_id"] = message_id
    refusal = refused(encode(valid))
    assert refusal.message_id is None and refusal.source == valid["source"]
