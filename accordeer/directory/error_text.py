"""Pydantic's validation errors of a party in the words of a directory file: where, and what is wrong."""

from pydantic_core import ErrorDetails

from shared.contracts.directory import IDENTITY_TYPES


def location(loc: tuple[int | str, ...]) -> str:
    if loc[-1:] == ("[key]",):
        loc = loc[:-1]
    path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
    return f" {path.removeprefix('.')}" if path else ""


def message(error: ErrorDetails) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "missing":
        return "missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "string_pattern_mismatch" and loc[-1] == "email":
        return "not an e-mail address"
    if kind == "literal_error" and loc[-1] == "[key]":
        return f"unknown identity type (known: {', '.join(IDENTITY_TYPES)})"
    if kind == "literal_error" and loc[-1] == "kind":
        return "must be organisation or person"
    if kind in ("bool_parsing", "bool_type"):
        return "must be true or false"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "model_type":
        return "must be a mapping of fields"
    return error["msg"].removeprefix("Value error, ")
