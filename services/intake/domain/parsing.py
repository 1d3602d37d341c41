"""From the bytes of one Kafka record to a declaration, or a refusal that says why. Never raises.

The checks run cheapest and most fundamental first: size, UTF-8, JSON object,
schema version, the refusals the import rules name, then the schema itself.
"""

import json
import math
from typing import Any

from pydantic import ValidationError

from shared.contracts.inbound import InboundDeclaration

from .prechecks import specific_refusal
from .raw import MAX_DEPTH, find_unstorable, read_ids, sniff_ids
from .reasons import ReasonCode
from .refusal import Refusal
from .schema_errors import describe

Declaration = InboundDeclaration


class _DuplicateKey(ValueError):
    pass


def parse_declaration(raw: bytes, *, max_bytes: int) -> Declaration | Refusal:
    data = _as_bytes(raw)
    if data is None:
        return Refusal(
            ReasonCode.NOT_JSON, f"the message is {type(raw).__name__}, not a JSON text; send one JSON object"
        )
    if len(data) > max_bytes:
        return Refusal(
            ReasonCode.TOO_LARGE,
            f"the message is {len(data):,} bytes, more than the limit of {max_bytes:,} bytes;"
            " give a large attachment by UNC location instead of inline content",
            *sniff_ids(data),
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return Refusal(
            ReasonCode.NOT_UTF8,
            f"the message is not valid UTF-8 (at byte {error.start}); encode the JSON as UTF-8",
            *sniff_ids(data),
        )
    obj = _load(text)
    if isinstance(obj, tuple):
        return Refusal(*obj, *sniff_ids(data))
    return _validate(obj, *read_ids(obj), walk=_may_be_unstorable(text))


def _as_bytes(raw: Any) -> bytes | None:
    if isinstance(raw, (bytes, bytearray, memoryview)):
        return bytes(raw)
    if isinstance(raw, str):
        return raw.encode("utf-8", "surrogatepass")
    return None


def _load(text: str) -> dict[str, Any] | tuple[ReasonCode, str]:
    if not text.strip():
        return (ReasonCode.NOT_JSON, "the message is empty; send one JSON object")
    try:
        obj = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant, parse_float=_finite)
    except _DuplicateKey as error:
        return ReasonCode.INVALID_SCHEMA, f"{error}; give every field once"
    except RecursionError:
        return (ReasonCode.NOT_JSON, f"the message is nested more than {MAX_DEPTH} levels deep")
    except ValueError as error:  # JSONDecodeError, and ints too long to convert
        return (ReasonCode.NOT_JSON, f"the message is not valid JSON: {error}")
    if not isinstance(obj, dict):
        return (ReasonCode.NOT_JSON, f"the message is a JSON {_json_kind(obj)}, not an object; send one JSON object")
    return obj


def _may_be_unstorable(text: str) -> bool:
    """Whether the parsed object needs the full walk of ``find_unstorable`` (the slowest step of parsing).

    NUL and lone surrogates can only arrive as \\u escapes (valid UTF-8 has no surrogates, JSON no raw
    NUL), and nesting deeper than MAX_DEPTH needs more than MAX_DEPTH opening brackets."""
    return "\\u" in text or text.count("{") + text.count("[") > MAX_DEPTH


def _validate(
    obj: dict[str, Any], message_id: str | None, source: str | None, *, walk: bool = True
) -> Declaration | Refusal:
    unstorable = find_unstorable(obj) if walk else None
    if unstorable:
        code, message = _unstorable(*unstorable)
        return Refusal(code, message, message_id, source)
    version = obj.get("schema_version")
    if type(version) is not int or version != 1:
        shown = "is missing" if "schema_version" not in obj else f"is {json.dumps(version)[:40]}"
        message = f'schema_version {shown}; this intake reads version 1 only ("schema_version": 1)'
        return Refusal(ReasonCode.UNKNOWN_SCHEMA_VERSION, message, message_id, source)
    found = specific_refusal(obj)
    if found:
        return Refusal(*found, message_id, source)
    try:
        return Declaration.model_validate(obj)
    except ValidationError as error:
        return Refusal(*describe(error), message_id, source)


def _unstorable(kind: str, path: str) -> tuple[ReasonCode, str]:
    if kind == "depth":
        return ReasonCode.NOT_JSON, f"{path}: the message is nested more than {MAX_DEPTH} levels deep"
    if kind == "surrogate":
        return ReasonCode.NOT_UTF8, f"{path}: contains an unpaired surrogate escape (\\ud800-\\udfff), not a character"
    return ReasonCode.INVALID_SCHEMA, f"{path}: contains a NUL character (\\u0000), which cannot be stored"


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise _DuplicateKey(f"a JSON object has the key {json.dumps(key)[:80]} more than once")
        obj[key] = value
    return obj


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


def _json_kind(value: Any) -> str:
    kinds = {list: "array", str: "string", bool: "boolean", type(None): "null"}
    return kinds.get(type(value), "number")
