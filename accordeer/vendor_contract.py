"""The AsyncAPI document for external packages: the contract from the vendor's side, for generating clients.

``docs/asyncapi.yaml`` describes Accordeer's own topics as its services see them. This one is what a
vendor's application does: it *sends* declarations (to ``declarations.inbound``, or in secure mode to its
own ``declarations.from.{source}``) and *receives* its statuses and refusals (``messages.status.{source}``,
``declarations.refused.{source}``); nothing internal. The schemas come from the same pydantic models the
services validate with, rewritten for code generators: a nullable field is a type array, an optional
object is simply not required, closed sets are enums, dates and 64-bit integers carry their ``format``,
property titles are dropped (Modelina would name classes after them) and every object has a name. What
Accordeer sends stays open for extension; what a vendor sends stays closed, as intake refuses unknown
fields. Examples are the golden ones in ``shared/contracts/examples/``. `accordeer docs --write` writes it;
a test keeps the committed copy current.
"""

import copy
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from accordeer.paths import REPO_ROOT
from services.intake.domain import EXPLANATIONS, MESSAGE_REFUSALS
from services.workflow.domain.state_machine import RefusalCode
from shared.contracts.directory import IDENTITY_TYPES
from shared.contracts.inbound import EXAMPLES_DIR, KNOWN_MESSAGE_TYPES, InboundDeclaration
from shared.contracts.refusals import SubmissionRefused
from shared.contracts.status import StatusCode, StatusEvent

DOCUMENT = REPO_ROOT / "docs" / "asyncapi-vendor.yaml"

Schema = dict[str, Any]

RFC3339_WITH_ZONE = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
"""What intake reads as a timestamp (shared/contracts/inbound.py): a timezone is required."""

NOT_SENT_BY_VENDORS = ("delivery_method_choice",)
"""Accepted and ignored by intake (any JSON), so left out: a generated model would carry an untyped field."""

WORKFLOW_REFUSALS = {
    "invalid_action": "The action is not one the current task offers.",
    RefusalCode.NOT_RUNNING: "The workflow has ended (approved or rejected).",
    RefusalCode.NOT_REJECTED: "A restore of an item that is not rejected.",
    RefusalCode.STALE_TASK: "The action names a task that is no longer the current one.",
    RefusalCode.NOT_ALLOWED: "The person is neither an assignee of the task nor its task manager.",
    RefusalCode.UNKNOWN_ACTION: "The action is not known to the workflow.",
    RefusalCode.NO_ASSIGNEES: "A reassignment without valid new assignees.",
    RefusalCode.UNKNOWN_GROUP: "A reassignment to a group that does not exist.",
}
"""Why an action on a dossier item at 20 or 30 was refused; reported with that status on the source's topic."""

STATUS_MEANINGS = {
    StatusCode.REFUSED: "intake refused a message never registered; see reason_code and detail. Never followed by 10",
    StatusCode.REGISTERED: "intake accepted the message (one event per message, dossier_item_id empty)",
    StatusCode.PROCESSING: "a dossier item exists; also while it waits for a route (detail says so)",
    StatusCode.IN_WORKFLOW: "the client has a task",
    StatusCode.REJECTED: "the client rejected the declaration; detail carries the reason",
    StatusCode.PREPARED_FOR_SENDING: "approved; waiting to be filed",
    StatusCode.SENT: "filed with the authority's gateway",
    StatusCode.SEND_ERROR: "the gateway refused or could not take the filing; the office resends it",
    StatusCode.ACCEPTED_BY_AUTHORITY: "the authority accepted it (authority_status_code)",
    StatusCode.DECLINED_BY_AUTHORITY: "the authority declined it (authority_status_code, detail)",
}

SOURCE_PARAMETER = {
    "description": "Your package's source id as registered by the office, e.g. `afas-fin`.",
    "examples": ["afas-fin"],
}

KEY_BINDING = {
    "kafka": {
        "key": {
            "type": "string",
            "minLength": 1,
            "maxLength": 100,
            "description": "The record key is the message's `message_id`, so all records of one message stay in order.",
        },
        "bindingVersion": "0.5.0",
    }
}


def _schema_of(model: type[BaseModel], mode: str) -> tuple[Schema, dict[str, Schema]]:
    """The model's JSON schema with its nested definitions apart, referring to components/schemas."""
    schema = model.model_json_schema(mode=mode, ref_template="#/components/schemas/{model}")  # type: ignore[arg-type]
    definitions = schema.pop("$defs", {})
    return schema, definitions


def _for_generators(schema: Any, *, nested: bool = False) -> Any:
    """Rewrite pydantic's JSON schema the way code generators read it best (see the module's docstring)."""
    if isinstance(schema, list):
        return [_for_generators(item, nested=True) for item in schema]
    if not isinstance(schema, dict):
        return schema
    schema = {key: _for_generators(value, nested=key != "properties") for key, value in schema.items()}
    if "properties" in schema:
        schema["properties"] = {name: _property(value) for name, value in schema["properties"].items()}
    return schema


def _property(schema: Schema) -> Schema:
    schema = dict(schema)
    if "enum" not in schema:
        schema.pop("title", None)  # an enum keeps its title: Modelina names the type after it
    if schema.get("default", ...) is None:
        del schema["default"]
    options = schema.get("anyOf")
    if options and {"type": "null"} in options and len(options) == 2:
        (value,) = [option for option in options if option != {"type": "null"}]
        del schema["anyOf"]
        if "$ref" in value:
            return {**value, **schema}  # an optional object: simply not required
        nullable = {**value, **schema, "type": [value["type"], "null"]}
        if "enum" in nullable:
            nullable["enum"] = [*nullable["enum"], None]
        return nullable
    return schema


def _open(schema: Schema) -> Schema:
    """An event Accordeer sends: readers must ignore fields they do not know (new ones may be added)."""
    schema.pop("additionalProperties", None)
    return schema


def _enum_described(title: str, values: dict[Any, str], description: str, *, nullable: bool = False) -> Schema:
    lines = "\n".join(f"- `{value}`: {meaning}" for value, meaning in values.items())
    schema: Schema = {"title": title, "type": ["string", "null"] if nullable else "string"}
    schema["enum"] = [str(value) for value in values] + ([None] if nullable else [])
    schema["description"] = f"{description}\n\n{lines}"
    return schema


def _declaration_schemas() -> dict[str, Schema]:
    declaration, definitions = _schema_of(InboundDeclaration, "validation")
    definitions.pop("JsonValue", None)
    for name in NOT_SENT_BY_VENDORS:
        declaration["properties"].pop(name)
    properties = declaration["properties"]
    # A one-value enum with a const: Modelina's Java then writes a final field set to 1 (for a plain integer const
    # it writes an int that defaults to 0, which intake refuses as unknown_schema_version).
    properties["schema_version"] = {
        "title": "SchemaVersion",
        "type": "integer",
        "enum": [1],
        "const": 1,
        "description": "Always 1 (this contract).",
    }
    properties["message_type"] |= {
        "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$",
        "description": (
            "Lowercase letters, digits and single hyphens. Out of the box: "
            + ", ".join(f"`{t}`" for t in KNOWN_MESSAGE_TYPES)
            + "; an office may add types."
        ),
    }
    properties["submitted_at"] |= {
        "pattern": RFC3339_WITH_ZONE,
        "description": "RFC 3339 with a timezone, e.g. `2025-02-03T09:30:00+01:00`. Defaults to the time of intake.",
    }
    properties["free_fields"]["additionalProperties"] = {
        "type": ["string", "number", "boolean"],
        "description": "Text (at most 4,000 characters), a number or true/false.",
    }
    declaration["description"] += (
        " Unknown fields are refused (unknown_field). `delivery_method_choice` (any JSON) is also accepted and"
        " ignored; it is left out here."
    )
    declaration["title"] = "Declaration"
    definitions["Identity"]["properties"]["type"] = {
        "title": "IdentityType",
        "type": "string",
        "enum": list(IDENTITY_TYPES),
        "description": "BTW (VAT number), Fi (RSIN/BSN), LHnr (loonheffingennummer), KvK (Chamber of Commerce).",
    }
    definitions["Attachment"]["description"] += " A `location` must be a UNC path such as \\\\server\\share\\file.pdf."
    return {"Declaration": declaration, **definitions}


def _status_schemas() -> dict[str, Schema]:
    status, definitions = _schema_of(StatusEvent, "serialization")
    status["title"] = "StatusEvent"
    status["properties"]["occurred_at"]["description"] = "When the change happened (RFC 3339)."
    reasons = {str(code): EXPLANATIONS[code] for code in sorted(MESSAGE_REFUSALS)} | {
        str(code): text for code, text in WORKFLOW_REFUSALS.items()
    }
    status["properties"]["reason_code"] = _enum_described(
        "StatusReasonCode",
        reasons,
        "Why, when status_code is 0 (intake's reasons) or an action was refused at 20 or 30 (workflow's). Codes "
        "are never renamed or reused, but new ones may be added: treat one you do not know as a refusal.",
        nullable=True,
    )
    status_code = definitions["StatusCode"]
    status_code["description"] = "The message's status:\n\n" + "\n".join(
        f"- {int(code)} {code.label}: {STATUS_MEANINGS[code]}" for code in sorted(StatusCode)
    )
    status_code["enum"] = sorted(int(code) for code in StatusCode)
    return {"StatusEvent": _open(status), **definitions}


def _refusal_schemas() -> dict[str, Schema]:
    refusal, definitions = _schema_of(SubmissionRefused, "serialization")
    refusal["title"] = "SubmissionRefused"
    refusal["properties"]["reason_code"] = _enum_described(
        "RefusalReasonCode",
        {str(code): EXPLANATIONS[code] for code in sorted(MESSAGE_REFUSALS)},
        "Why, as a code. Never renamed or reused; new ones may be added.",
    )
    refusal["properties"]["original_partition"] |= {"format": "int32"}
    refusal["properties"]["original_offset"] |= {"format": "int64"}
    return {"SubmissionRefused": _open(refusal), **definitions}


def _examples(pattern: str) -> list[Schema]:
    examples = []
    for path in sorted(EXAMPLES_DIR.glob(pattern)):
        payload = json.loads(path.read_text())
        for name in NOT_SENT_BY_VENDORS:
            payload.pop(name, None)
        examples.append({"name": path.stem, "summary": f"shared/contracts/examples/{path.name}", "payload": payload})
    return examples


def _message(name: str, title: str, summary: str, examples: str) -> Schema:
    return {
        "name": name,
        "title": title,
        "summary": summary,
        "contentType": "application/json",
        "payload": {"$ref": f"#/components/schemas/{name}"},
        "bindings": copy.deepcopy(KEY_BINDING),
        "examples": _examples(examples),
    }


def _ref(path: str) -> dict[str, str]:
    return {"$ref": path}


def vendor_document() -> Schema:
    schemas = {**_declaration_schemas(), **_status_schemas(), **_refusal_schemas()}
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Accordeer for external packages",
            "version": "1",
            "description": (
                "What an external package sends to an accounting office's Accordeer and what it reads back, over "
                "Kafka. The guide: docs/external-packages.md. Topic names may carry a prefix the office configured "
                "(e.g. `acme.`). JSON values, UTF-8, at most 1 MiB by default."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "plaintext": {
                "host": "kafka:9092",
                "protocol": "kafka",
                "description": "A broker without authentication (local runs, trials). Use the office's address.",
            },
            "secure": {
                "host": "kafka:9093",
                "protocol": "kafka-secure",
                "description": (
                    "SASL_SSL: TLS (trust the office's CA) and SCRAM-SHA-512 with your source's principal, whose "
                    "user name is your source id. It may write only declarations.from.<source> and read only its "
                    "own status and refusal topics, in consumer groups named `<source id>.<anything>`."
                ),
                "security": [_ref("#/components/securitySchemes/scram")],
            },
        },
        "channels": {
            "declarations": {
                "address": "declarations.inbound",
                "title": "Declarations (shared)",
                "description": "The shared inbound topic, for a broker in plaintext mode. A secure broker refuses it.",
                "servers": [_ref("#/servers/plaintext")],
                "messages": {"declaration": _ref("#/components/messages/Declaration")},
            },
            "sourceDeclarations": _source_channel(
                "declarations.from.{source}",
                "Your declarations",
                "Your package's own inbound topic (secure mode: only your principal may write it). A declaration "
                "naming another source is refused as source_mismatch.",
                {"declaration": "Declaration"},
            ),
            "sourceStatuses": _source_channel(
                "messages.status.{source}",
                "Your statuses",
                "Every status change of your messages (0-90), in order per message. Repeats after a crash carry the "
                "same event_id: drop an event_id you have seen.",
                {"statusEvent": "StatusEvent"},
            ),
            "sourceRefusals": _source_channel(
                "declarations.refused.{source}",
                "Your refused submissions",
                "Every submission of yours that intake refused, also one under the id of a message already "
                "registered (message_status_unchanged). No key when the message_id could not be read.",
                {"submissionRefused": "SubmissionRefused"},
            ),
        },
        "operations": {
            "sendDeclaration": _operation("send", "declarations", "declaration", "Submit a declaration (plaintext)."),
            "sendSourceDeclaration": _operation(
                "send", "sourceDeclarations", "declaration", "Submit a declaration on your own topic."
            ),
            "receiveStatus": _operation(
                "receive", "sourceStatuses", "statusEvent", "Follow your declarations.", group=True
            ),
            "receiveRefusal": _operation(
                "receive", "sourceRefusals", "submissionRefused", "Learn which submissions were refused.", group=True
            ),
        },
        "components": {
            "messages": {
                "Declaration": _message(
                    "Declaration",
                    "Declaration, version 1",
                    "One declaration for one or more destinations; key: its message_id.",
                    "inbound_*.json",
                ),
                "StatusEvent": _message(
                    "StatusEvent",
                    "Status change",
                    "One status change of one of your messages; key: its message_id.",
                    "status_*.json",
                ),
                "SubmissionRefused": _message(
                    "SubmissionRefused",
                    "Refused submission",
                    "A submission intake refused, and why; key: its message_id when it could be read.",
                    "submission_refused.json",
                ),
            },
            "schemas": _for_generators(schemas),
            "securitySchemes": {
                "scram": {
                    "type": "scramSha512",
                    "description": "SCRAM-SHA-512 over TLS; user name: your source id, password: from the office.",
                }
            },
        },
    }


def _source_channel(address: str, title: str, description: str, messages: dict[str, str]) -> Schema:
    """A channel of one source, ``{source}`` in its address."""
    return {
        "address": address,
        "title": title,
        "description": description,
        "parameters": {"source": SOURCE_PARAMETER},
        "messages": {key: _ref(f"#/components/messages/{name}") for key, name in messages.items()},
    }


def _operation(action: str, channel: str, message: str, summary: str, *, group: bool = False) -> Schema:
    operation: Schema = {
        "action": action,
        "channel": _ref(f"#/channels/{channel}"),
        "summary": summary,
        "messages": [_ref(f"#/channels/{channel}/messages/{message}")],
    }
    if group:
        operation["bindings"] = {
            "kafka": {
                "groupId": {
                    "type": "string",
                    "pattern": "^[A-Za-z0-9._-]+\\..+$",
                    "description": "In secure mode `<source id>.<anything>`, e.g. `afas-fin.statuses`.",
                },
                "bindingVersion": "0.5.0",
            }
        }
    return operation


def vendor_yaml() -> str:
    return yaml.safe_dump(vendor_document(), sort_keys=False, allow_unicode=True, width=110)


def write_vendor_document(path: Path = DOCUMENT) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(vendor_yaml())
    return path
