"""The CSV form of a directory file: one row per contact, the party's columns repeated on each of its rows.

A party without contacts is one row with empty contact columns; several
numbers of one type are separated by ``;``.
"""

import csv
import io

from accordeer.directory.validation import Entry, Problem

PARTY_COLUMNS = {"organisation_person_id": "organisation_person_id", "name": "name", "kind": "kind", "active": "active"}
NUMBER_COLUMNS = {"btw": "BTW", "fi": "Fi", "lhnr": "LHnr", "kvk": "KvK"}
CONTACT_COLUMNS = {
    "contact_id": "contact_id",
    "contact_name": "name",
    "contact_email": "email",
    "portal_user": "portal_user",
    "contact_active": "active",
}
COLUMNS = (*PARTY_COLUMNS, *NUMBER_COLUMNS, *CONTACT_COLUMNS)
REQUIRED_COLUMNS = ("organisation_person_id", "name", "kind")

Row = tuple[int, dict[str, str]]  # the line it starts on, column → stripped value


def entries_from_csv(text: str) -> tuple[list[Entry], list[Problem]]:
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        header = [column.strip().lower() for column in next(reader, [])]
    except csv.Error as error:
        return [], [Problem(1, f"not valid CSV: {error}")]
    if missing := [c for c in REQUIRED_COLUMNS if c not in header]:
        return [], [Problem(1, f"column '{c}' is missing (the first line names the columns)") for c in missing]
    problems = [Problem(1, f"unknown column '{c}' (known: {', '.join(COLUMNS)})") for c in header if c not in COLUMNS]
    parties: dict[str, list[Row]] = {}
    try:
        rows = list(_lines(reader))
    except csv.Error as error:
        return [], [*problems, Problem(reader.line_num, f"not valid CSV: {error}")]
    for line, values in rows:
        if len(values) > len(header):
            problems.append(Problem(line, f"{len(values)} fields, but the header names {len(header)} columns"))
        elif any(v.strip() for v in values):
            # a row may end early: the columns it has no field for are empty
            row = {c: v.strip() for c, v in zip(header, values, strict=False) if v.strip() and c in COLUMNS}
            parties.setdefault(row.get("organisation_person_id") or f"line {line}", []).append((line, row))
    entries = [_entry(party_rows) for party_rows in parties.values()]
    return entries, problems + [p for party_rows in parties.values() for p in _disagreements(party_rows)]


def _lines(reader):
    """Each row with the line it starts on (a quoted value may span lines)."""
    end = reader.line_num
    for values in reader:
        yield end + 1, values
        end = reader.line_num


def _entry(rows: list[Row]) -> Entry:
    first_line, first = rows[0]
    fields: dict = {field: first[column] for column, field in PARTY_COLUMNS.items() if column in first}
    fields["numbers"] = {
        kind: [n.strip() for n in first[column].split(";") if n.strip()]
        for column, kind in NUMBER_COLUMNS.items()
        if column in first
    }
    contact_rows = [(line, row) for line, row in rows if any(c in row for c in CONTACT_COLUMNS)]
    fields["contacts"] = [
        {field: row[column] for column, field in CONTACT_COLUMNS.items() if column in row} for _, row in contact_rows
    ]
    contact_lines = [line for line, _ in contact_rows]

    def line_of(loc: tuple) -> int:
        if loc[:1] == ("contacts",) and len(loc) > 1 and isinstance(loc[1], int) and loc[1] < len(contact_lines):
            return contact_lines[loc[1]]
        return first_line

    return Entry(fields, first_line, line_of)


def _disagreements(rows: list[Row]) -> list[Problem]:
    """The rows of one party must agree on the party's columns."""
    first_line, first = rows[0]
    party_id = first.get("organisation_person_id", "(party without id)")
    return [
        Problem(
            line,
            f"{party_id} {column}: '{row.get(column, '')}' differs from line {first_line} "
            f"('{first.get(column, '')}'); the rows of one party must agree",
        )
        for line, row in rows[1:]
        for column in (*PARTY_COLUMNS, *NUMBER_COLUMNS)
        if row.get(column, "") != first.get(column, "")
    ]
