"""The vendor document says what intake and the services really do: the committed copy is current, every golden
example is in it and valid under its schemas, and its schemas accept and refuse what the contract models do."""

import json

import pytest
from jsonschema import Draft7Validator
from pydantic import ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT7

from accordeer.vendor_contract import DOCUMENT, vendor_document, vendor_yaml
from shared.contracts.directory import IDENTITY_TYPES
from shared.contracts.inbound import EXAMPLES_DIR, InboundDeclaration
from shared.contracts.status import StatusCode

SPEC = vendor_document()
SCHEMAS = SPEC["components"]["schemas"]
MESSAGES = SPEC["components"]["messages"]
REGISTRY = Registry().with_resource("urn:vendor", DRAFT7.create_resource({"components": {"schemas": SCHEMAS}}))


def _validator(name: str) -> Draft7Validator:
    schema = json.loads(json.dumps(SCHEMAS[name]).replace('"#/components/', '"urn:vendor#/components/'))
    return Draft7Validator(schema, registry=REGISTRY, format_checker=Draft7Validator.FORMAT_CHECKER)


def _errors(name: str, value: dict) -> list[str]:
    return [error.message for error in _validator(name).iter_errors(value)]


def test_the_committed_vendor_document_is_generated_from_the_current_code():
    assert DOCUMENT.read_text() == vendor_yaml(), "run `accordeer docs --write` and commit docs/asyncapi-vendor.yaml"


def test_a_vendor_sends_declarations_and_reads_only_its_own_statuses_and_refusals():
    actions = {op["action"]: [] for op in SPEC["operations"].values()}
    for operation in SPEC["operations"].values():
        channel = operation["channel"]["$ref"].rsplit("/", 1)[1]
        actions[operation["action"]].append(SPEC["channels"][channel]["address"])
    assert sorted(actions["send"]) == ["declarations.from.{source}", "declarations.inbound"]
    assert sorted(actions["receive"]) == ["declarations.refused.{source}", "messages.status.{source}"]
    addresses = {channel["address"] for channel in SPEC["channels"].values()}
    assert not addresses & {"dossier.items", "messages.approved", "workflow.tasks", "messages.status"}
    assert SPEC["servers"]["secure"]["protocol"] == "kafka-secure"
    assert SPEC["components"]["securitySchemes"]["scram"]["type"] == "scramSha512"
    assert "correlationId" not in vendor_yaml()


def test_every_golden_example_is_in_the_document_and_valid_under_its_schema():
    golden = {
        "Declaration": sorted(EXAMPLES_DIR.glob("inbound_*.json")),
        "StatusEvent": sorted(EXAMPLES_DIR.glob("status_*.json")),
        "SubmissionRefused": [EXAMPLES_DIR / "submission_refused.json"],
    }
    for message, paths in golden.items():
        examples = MESSAGES[message]["examples"]
        assert [example["name"] for example in examples] == [path.stem for path in paths]
        for example, path in zip(examples, paths, strict=True):
            sent = json.loads(path.read_text())
            sent.pop("delivery_method_choice", None)  # accepted and ignored; left out of the vendor document
            assert example["payload"] == sent
            assert _errors(message, example["payload"]) == [], path.name


def _declaration(**changes) -> dict:
    return {**json.loads((EXAMPLES_DIR / "inbound_btw_aangifte.json").read_text()), **changes}


@pytest.mark.parametrize(
    "changes",
    [
        {"schema_version": 2},
        {"message_type": "BTW aangifte"},
        {"message_id": ""},
        {"password": "an unknown field"},
        {"destinations": []},
        {"submitted_at": "yesterday"},
        {"submitted_at": "2025-02-03T09:30:00"},
        {"free_fields": {"bedrag": [1, 2]}},
    ],
    ids=repr,
)
def test_the_declaration_schema_refuses_what_intake_refuses(changes):
    declaration = _declaration(**changes)
    with pytest.raises(ValidationError):
        InboundDeclaration.model_validate_json(json.dumps(declaration))
    assert _errors("Declaration", declaration)


def test_identity_types_are_those_a_party_registers_numbers_under():
    # Another type passes the model but is refused at the directory check (identity_not_registered).
    assert SCHEMAS["Identity"]["properties"]["type"]["enum"] == list(IDENTITY_TYPES)
    assert _errors("Declaration", _declaration(identity={"number": "NL001234567B01", "type": "btw"}))


def test_a_declaration_may_leave_out_what_is_optional_or_send_it_as_null():
    minimal = _declaration()
    for optional in ("submitter", "submitted_at", "characteristics", "free_fields", "attachment"):
        minimal.pop(optional, None)
    assert _errors("Declaration", minimal) == []
    assert _errors("Declaration", _declaration(submitter=None, characteristics=None, free_fields=None)) == []
    schema_version = SCHEMAS["Declaration"]["properties"]["schema_version"]
    assert schema_version["const"] == 1 and "schema_version" in SCHEMAS["Declaration"]["required"]


def test_events_accordeer_sends_are_open_for_fields_added_later_and_typed_exactly():
    status = json.loads((EXAMPLES_DIR / "status_accepted.json").read_text())
    assert _errors("StatusEvent", {**status, "added_in_a_later_version": True}) == []
    assert _errors("StatusEvent", {**status, "status_code": 35})
    assert SCHEMAS["StatusCode"]["enum"] == sorted(int(code) for code in StatusCode)
    refused = SCHEMAS["SubmissionRefused"]["properties"]
    assert refused["original_offset"]["format"] == "int64"
    assert "refused_of_unknown" not in refused["reason_code"]["enum"]
    assert "message_id_reused" in refused["reason_code"]["enum"]
    nullable = SCHEMAS["StatusEvent"]["properties"]["dossier_item_id"]
    assert nullable["type"] == ["string", "null"] and "anyOf" not in nullable


def test_no_schema_is_nameless_or_untyped():
    def walk(schema, where):
        if isinstance(schema, dict):
            assert "anyOf" not in schema and "oneOf" not in schema, where
            if "enum" in schema or schema.get("type") == "object":
                assert "title" in schema, f"{where}: a generated type needs a name"
            if "properties" in schema:
                for name, value in schema["properties"].items():
                    assert "$ref" in value or "type" in value, f"{where}.{name} has no type"
            for key, value in schema.items():
                walk(value, f"{where}.{key}")

    for name, schema in SCHEMAS.items():
        walk(schema, name)
