"""Reading what can be read from raw input: the ids to report a refusal under, and text that cannot be stored."""

import re
from typing import Any

MAX_DEPTH = 32
"""Version 1 needs five levels; the rest is room for ``delivery_method_choice``, which is ignored anyway."""

_SNIFF_LIMIT = 1 << 20
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_SNIFFED = {
    name: re.compile(rb'"' + name.encode() + rb'"\s*:\s*"([^"\\\x00-\x1f]{1,400})"')
    for name in ("message_id", "source")
}


def readable_id(value: Any) -> str | None:
    """An id we can report under: a string that is itself a valid id (so never garbage, never a mangled one)."""
    if not isinstance(value, str) or not 1 <= len(value) <= 100 or not value.strip():
        return None
    if _UNSTORABLE.search(value) or "\ufffd" in value:
        return None
    return value


def read_ids(obj: dict[str, Any]) -> tuple[str | None, str | None]:
    return readable_id(obj.get("message_id")), readable_id(obj.get("source"))


def sniff_ids(data: bytes) -> tuple[str | None, str | None]:
    """Best effort for input that is not (valid) JSON: top-level-looking ``"message_id": "..."`` pairs."""
    head = data[:_SNIFF_LIMIT]
    found = []
    for pattern in _SNIFFED.values():
        match = pattern.search(head)
        try:
            found.append(readable_id(match.group(1).decode("utf-8")) if match else None)
        except UnicodeDecodeError:
            found.append(None)
    return found[0], found[1]


def find_unstorable(obj: Any) -> tuple[str, str] | None:
    """The first problem (kind, path) that no field can have: too deep, NUL, or an unpaired surrogate.

    PostgreSQL text cannot hold NUL or surrogates, so they are refused here rather than crash a write later.
    Kinds: ``"depth"``, ``"nul"``, ``"surrogate"``.
    """
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(obj, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            return "depth", format_path(path[:MAX_DEPTH])
        if isinstance(value, dict):
            for key, item in value.items():
                problem = _text_problem(key)
                if problem:
                    return problem, format_path((*path, key)) + " (key)"
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(value))
        elif isinstance(value, str):
            problem = _text_problem(value)
            if problem:
                return problem, format_path(path)
    return None


def _text_problem(text: str) -> str | None:
    match = _UNSTORABLE.search(text)
    if match is None:
        return None
    return "nul" if match.group() == "\x00" else "surrogate"


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,59}")


def format_path(path: tuple[str | int, ...]) -> str:
    """``destinations[0].employee_id``; odd keys quoted and cut short, so a path never echoes a huge input."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENTIFIER.fullmatch(part):
            out += f".{part}" if out else part
        else:
            shown = part if len(part) <= 60 else part[:57] + "..."
            out += "[" + repr(shown).encode("ascii", "backslashreplace").decode() + "]"
    return out or "the message"
