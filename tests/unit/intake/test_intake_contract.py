"""The inbound declaration v1 contract: golden examples round-trip, and the model is as strict as promised."""

import copy
import json
from typing import Any

import pytest
from pydantic import ValidationError

from shared.contracts.inbound import EXAMPLES_DIR, KNOWN_MESSAGE_TYPES, MAX_DESTINATIONS, InboundDeclaration

GOLDEN = sorted(EXAMPLES_DIR.glob("inbound_*.json"))


def test_there_is_a_golden_example_for_every_known_message_type_and_each_special_case() -> None:
    names = {path.stem.removeprefix("inbound_") for path in GOLDEN}
    assert {t.replace("-", "_") for t in KNOWN_MESSAGE_TYPES} <= names
    assert {"two_destinations", "attachment_unc", "attachment_inline"} <= names


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_golden_example_round_trips(path: Any) -> None:
    text = path.read_text(encoding="utf-8")
    decl = InboundDeclaration.model_validate_json(text)
    assert json.loads(decl.model_dump_json(exclude_unset=True)) == json.loads(text)
    assert InboundDeclaration.model_validate(json.loads(text)) == decl


def _errors(obj: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    with pytest.raises(ValidationError) as caught:
        InboundDeclaration.model_validate(obj)
    return [(e["loc"], e["type"]) for e in caught.value.errors()]


def _with(valid: dict[str, Any], **changes: Any) -> dict[str, Any]:
    obj = copy.deepcopy(valid)
    obj.update(changes)
    return obj


def test_message_type_is_open_to_configured_types(valid: dict[str, Any]) -> None:
    assert InboundDeclaration.model_validate(_with(valid, message_type="vpb-aangifte")).message_type == "vpb-aangifte"


@pytest.mark.parametrize("bad", ["BTW-aangifte", "btw_aangifte", "btw aangifte", "-btw", "btw--aangifte", ""])
def test_message_type_allows_only_lowercase_letters_digits_and_hyphens(valid: dict[str, Any], bad: str) -> None:
    assert _errors(_with(valid, message_type=bad))[0][0] == ("message_type",)


@pytest.mark.parametrize("stamp", ["2025-02-03T09:30:00", "2025-02-03", "03-02-2025 09:30", "2025-02-30T10:00:00Z"])
def test_submitted_at_must_be_an_rfc3339_timestamp_with_timezone(valid: dict[str, Any], stamp: str) -> None:
    assert _errors(_with(valid, submitted_at=stamp)) == [(("submitted_at",), "rfc3339")]


def test_submitted_at_is_not_a_unix_timestamp(valid: dict[str, Any]) -> None:
    assert _errors(_with(valid, submitted_at=1738575000))[0][0] == ("submitted_at",)


def test_nothing_is_coerced(valid: dict[str, Any]) -> None:
    assert _errors(_with(valid, schema_version="1"))[0][0] == ("schema_version",)
    assert _errors(_with(valid, schema_version=True))[0][0] == ("schema_version",)
    assert _errors(_with(valid, message_id=42))[0][0] == ("message_id",)


@pytest.mark.parametrize("field,limit", [("message_id", 100), ("source", 100), ("subject", 255)])
def test_text_fields_have_limits(valid: dict[str, Any], field: str, limit: int) -> None:
    InboundDeclaration.model_validate(_with(valid, **{field: "x" * limit}))
    assert _errors(_with(valid, **{field: "x" * (limit + 1)}))[0][0] == (field,)
    assert _errors(_with(valid, **{field: "  "}))[0][0] == (field,)


def test_destinations_are_one_to_the_cap(valid: dict[str, Any]) -> None:
    many = [{"organisation_person_id": f"ORG-{i}"} for i in range(MAX_DESTINATIONS)]
    assert len(InboundDeclaration.model_validate(_with(valid, destinations=many)).destinations) == MAX_DESTINATIONS
    assert _errors(_with(valid, destinations=[]))[0][0] == ("destinations",)
    assert _errors(_with(valid, destinations=[*many, {"organisation_person_id": "one-too-many"}]))[0][0] == (
        "destinations",
    )


@pytest.mark.parametrize("content", ["not base64!", "QUJD", "QUI", "QU\nJD", ""])
def test_document_content_must_be_valid_padded_base64(valid: dict[str, Any], content: str) -> None:
    valid["document"]["content_base64"] = content
    if content == "QUJD":
        InboundDeclaration.model_validate(valid)
    else:
        assert _errors(valid)[0][0] == ("document", "content_base64")


@pytest.mark.parametrize(
    "attachment",
    [
        {"file_name": "a.pdf"},
        {"file_name": "a.pdf", "location": "\\\\srv\\share\\a.pdf", "content_base64": "QUJD"},
    ],
)
def test_attachment_has_exactly_one_of_location_and_content(valid: dict[str, Any], attachment: Any) -> None:
    assert _errors(_with(valid, attachment=attachment)) == [(("attachment",), "attachment_source")]


@pytest.mark.parametrize("location", ["/mnt/import/a.pdf", "\\\\srv", "\\\\srv\\share", "//srv/share/a.pdf", "a.pdf"])
def test_attachment_location_must_be_unc(valid: dict[str, Any], location: str) -> None:
    errors = _errors(_with(valid, attachment={"file_name": "a.pdf", "location": location}))
    assert errors == [(("attachment", "location"), "unc_path")]


def test_unknown_fields_are_refused_at_every_level(valid: dict[str, Any]) -> None:
    valid["identity"]["rol"] = "x"
    valid["colour"] = "blue"
    assert sorted(_errors(valid)) == [(("colour",), "extra_forbidden"), (("identity", "rol"), "extra_forbidden")]


def test_free_fields_hold_strings_numbers_and_booleans_as_given(valid: dict[str, Any]) -> None:
    fields = {"s": "x", "i": 3, "f": 1.5, "b": True, "whole": 2.0}
    decl = InboundDeclaration.model_validate(_with(valid, free_fields=fields))
    assert decl.free_fields == fields
    assert type(decl.free_fields["b"]) is bool and type(decl.free_fields["whole"]) is float
    assert _errors(_with(valid, free_fields={"x": None}))[0][0] == ("free_fields", "x")
    assert _errors(_with(valid, free_fields={"x": [1]}))[0][0] == ("free_fields", "x")


def test_characteristics_map_strings_to_strings(valid: dict[str, Any]) -> None:
    assert _errors(_with(valid, characteristics={"periode": 202501}))[0][0] == ("characteristics", "periode")


@pytest.mark.parametrize("choice", [None, "Per post", {"kanaal": "e-mail"}, [1, 2], True])
def test_delivery_method_choice_accepts_any_value(valid: dict[str, Any], choice: Any) -> None:
    assert (
        InboundDeclaration.model_validate(_with(valid, delivery_method_choice=choice)).delivery_method_choice == choice
    )


def test_the_model_is_frozen(valid: dict[str, Any]) -> None:
    decl = InboundDeclaration.model_validate(valid)
    with pytest.raises(ValidationError):
        decl.subject = "changed"  # type: ignore[misc]
