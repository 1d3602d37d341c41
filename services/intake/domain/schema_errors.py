"""Pydantic's validation errors as one sentence a developer of an external package can act on."""

from typing import Any

from pydantic import ValidationError

from .raw import format_path
from .reasons import ReasonCode

MAX_LISTED = 10

_WORDING = {
    "missing": "is required",
    "extra_forbidden": "is not a field of inbound declaration version 1; remove it",
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "bool_type": "must be true or false",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "list_type": "must be a list",
    "string_too_short": "must not be empty",
}


def describe(error: ValidationError) -> tuple[ReasonCode, str]:
    # Unknown fields first: a misspelt field also shows up as the missing one, and the typo is the cause.
    errors = sorted(error.errors(include_url=False, include_input=False), key=lambda e: e["type"] != "extra_forbidden")
    unknown = any(e["type"] == "extra_forbidden" for e in errors)
    lines = [f"{_path(e['loc'])}: {_problem(e)}" for e in errors[:MAX_LISTED]]
    if len(errors) > MAX_LISTED:
        lines.append(f"and {len(errors) - MAX_LISTED} more problem(s)")
    head = "the message does not match inbound declaration version 1: " if len(errors) > 1 else ""
    return (ReasonCode.UNKNOWN_FIELD if unknown else ReasonCode.INVALID_SCHEMA), head + "; ".join(lines)


def _path(loc: tuple[Any, ...]) -> str:
    if loc and loc[-1] == "[key]":
        return format_path(loc[:-1]) + " (key)"
    return format_path(tuple(part for part in loc if isinstance(part, (str, int))))


def _problem(error: Any) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind in ("string_too_long", "too_long") and "max_length" in ctx:
        unit = "characters" if kind == "string_too_long" else "entries"
        return f"must have at most {ctx['max_length']} {unit}"
    if kind == "too_short" and "min_length" in ctx:
        return f"must have at least {ctx['min_length']} entr{'y' if ctx['min_length'] == 1 else 'ies'}"
    if kind in _WORDING:
        return _WORDING[kind]
    message: str = error["msg"]
    return message[:1].lower() + message[1:]
