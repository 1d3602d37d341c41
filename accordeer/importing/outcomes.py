"""What became of each row: the report's content, shown as a table and written as a file to correct and import."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from accordeer.importing.columns import REPORT_COLUMNS, key_of
from accordeer.importing.sheets import Sheet, write_sheet

ACCEPTED, REFUSED, ALREADY, CHECKED, PENDING = "accepted", "refused", "already imported", "checked", "no outcome"
PUBLISHED = "published"
GOOD = {ACCEPTED, ALREADY, CHECKED, PUBLISHED}
SHOWN_ACCEPTED = 100
"""Above this many rows the table shows only the rows that need attention; the report file has every row."""


@dataclass
class Outcome:
    row: int
    result: str = PENDING
    column: str = ""
    reason: str = ""
    message_id: str = ""
    items: list[str] = field(default_factory=list)
    status: str = ""

    def cells(self) -> list[Any]:
        return [self.row, self.result, self.column, self.reason, self.message_id, " ".join(self.items), self.status]


def show(outcomes: list[Outcome], console: Console) -> None:
    counts = {result: sum(o.result == result for o in outcomes) for result in (ACCEPTED, ALREADY, CHECKED, PUBLISHED, REFUSED,
                                                                                PENDING)}
    table = Table(*REPORT_COLUMNS, title="Import", show_lines=False)
    quiet = len(outcomes) > SHOWN_ACCEPTED
    for outcome in outcomes:
        if not (quiet and outcome.result in GOOD):
            style = None if outcome.result in GOOD else "red"
            table.add_row(*(str(c) for c in outcome.cells()), style=style)
    if table.rows:
        console.print(table)
    console.print(", ".join(f"{n} {result}" for result, n in counts.items() if n) or "no rows")


def report_path(source: Path) -> Path:
    stem = source.stem.removesuffix(".rapport")
    return source.with_name(f"{stem}.rapport{source.suffix.lower()}")


def write_report(path: Path, sheet: Sheet, outcomes: list[Outcome]) -> None:
    """The file's own columns (without an earlier report's) and the outcome of each row beside them."""
    kept = [i for i, header in enumerate(sheet.headers) if key_of(header) not in {key_of(c) for c in REPORT_COLUMNS}]
    by_row = {o.row: o for o in outcomes}
    rows = [[cells[i] for i in kept] + by_row.get(number, Outcome(number)).cells() for number, cells in sheet.rows]
    write_sheet(path, [sheet.headers[i] for i in kept] + list(REPORT_COLUMNS), rows)
