"""Judging the parties of a directory file, each on its own and all together, with the line of every problem.

The readers of each form (YAML, CSV) turn the file into entries: a party's raw
fields plus a way to find the line of any of them. Everything here is about
those entries, so both forms report the same problems in the same words.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from pydantic import ValidationError

from accordeer.directory.error_text import location, message
from shared.contracts.directory import Party, normalised_number

NUMBER_SHAPES = {
    "BTW": (r"NL\d{9}B\d{2}", "NL001234567B01"),
    "Fi": (r"\d{9}", "001234567"),
    "LHnr": (r"\d{9}L\d{2}", "001234567L01"),
    "KvK": (r"\d{8}", "12345678"),
}
"""What a registered number looks like per identity type (after ``normalised_number``), with an example."""

NO_ID = "(party without id)"


class Problem(NamedTuple):
    line: int
    message: str


@dataclass(frozen=True)
class Entry:
    """One party as the file gives it, before validation."""

    fields: Any
    line: int
    line_of: Callable[[tuple], int]
    """A location in ``fields`` (as pydantic gives it, e.g. ``("contacts", 1, "email")``) → its line."""

    @property
    def label(self) -> str:
        party_id = self.fields.get("organisation_person_id") if isinstance(self.fields, dict) else None
        return party_id.strip() if isinstance(party_id, str) and party_id.strip() else NO_ID


def validate(entries: list[Entry]) -> tuple[list[Party], list[Problem]]:
    """The parties, and every problem of every entry and between entries (judged on what the file says, so a
    party with one error still has its other fields judged)."""
    parties, problems = [], []
    for entry in entries:
        try:
            parties.append(Party.model_validate(entry.fields))
        except ValidationError as error:
            problems += [
                Problem(entry.line_of(e["loc"]), f"{entry.label}{location(e['loc'])}: {message(e)}")
                for e in error.errors(include_url=False, include_input=False)
            ]
        problems += _misshapen_numbers(entry)
    return parties, problems + _doubled_ids(entries) + _shared_portal_users(entries)


def _misshapen_numbers(entry: Entry) -> list[Problem]:
    return [
        Problem(
            entry.line_of(("numbers", kind, i)),
            f"{entry.label} numbers.{kind}[{i}]: '{number}' is not a {kind} number (like {NUMBER_SHAPES[kind][1]})",
        )
        for kind, numbers in _mapping(entry.fields, "numbers").items()
        if kind in NUMBER_SHAPES
        for i, number in enumerate(numbers if isinstance(numbers, list) else [])
        if isinstance(number, str) and not re.fullmatch(NUMBER_SHAPES[kind][0], normalised_number(number))
    ]


def _doubled_ids(entries: list[Entry]) -> list[Problem]:
    first: dict[str, Entry] = {}
    problems = []
    for entry in entries:
        if (seen := first.setdefault(entry.label, entry)) is not entry and entry.label != NO_ID:
            problems.append(
                Problem(entry.line, f"{entry.label}: duplicate organisation_person_id (also at line {seen.line})")
            )
    return problems


def _shared_portal_users(entries: list[Entry]) -> list[Problem]:
    """A person logs in once: one portal user is one contact of one party."""
    first: dict[str, str] = {}
    problems = []
    for entry in entries:
        for i, contact in enumerate(_contacts(entry.fields)):
            if not isinstance(user := contact.get("portal_user"), str) or not user.strip():
                continue
            line = entry.line_of(("contacts", i, "portal_user"))
            if seen := first.get(user.strip()):
                problems.append(
                    Problem(
                        line,
                        f"{entry.label} contacts[{i}].portal_user: '{user}' is already the "
                        f"portal user of {seen}; a person logs in with one portal user",
                    )
                )
            else:
                first[user.strip()] = f"{entry.label} {contact.get('contact_id')} (line {line})"
    return problems


def _mapping(fields, key: str) -> dict:
    value = fields.get(key) if isinstance(fields, dict) else None
    return value if isinstance(value, dict) else {}


def _contacts(fields) -> list[dict]:
    contacts = fields.get("contacts") if isinstance(fields, dict) else None
    return [c if isinstance(c, dict) else {} for c in contacts] if isinstance(contacts, list) else []
