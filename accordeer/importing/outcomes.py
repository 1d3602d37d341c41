"""What became of each row: the report's content, shown as a table and written as a file to correct and import,
in the language of the file's headers."""

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

import accordeer
from accordeer.importing.columns import REPORT_COLUMNS, key_of
from accordeer.importing.phrases import Phrase
from accordeer.importing.sheets import Sheet, report_suffix, write_sheet
from shared.contracts.status import StatusCode

ACCEPTED, REFUSED, ALREADY, DOUBLE, CHECKED, PENDING = (
    "accepted",
    "refused",
    "already imported",
    "duplicate",
    "checked",
    "no outcome",
)
PUBLISHED = "published"
GOOD = {ACCEPTED, ALREADY, CHECKED, PUBLISHED}
RESULTS = {
    ACCEPTED: Phrase("geaccepteerd", ACCEPTED),
    ALREADY: Phrase("al geïmporteerd", ALREADY),
    CHECKED: Phrase("gecontroleerd", CHECKED),
    PUBLISHED: Phrase("verstuurd", PUBLISHED),
    REFUSED: Phrase("geweigerd", REFUSED),
    DOUBLE: Phrase("dubbel", DOUBLE),
    PENDING: Phrase("geen uitkomst", PENDING),
}
STATUSES = {
    0: "Geweigerd",
    10: "Geregistreerd",
    20: "In behandeling",
    30: "In workflow",
    40: "Afgekeurd",
    50: "Klaar voor verzending",
    60: "Verzonden",
    70: "Verzendfout",
    80: "Geaccepteerd door instantie",
    90: "Afgewezen door instantie",
}
SHOWN_ACCEPTED = 100
"""Above this many rows the table shows only the rows that need attention; the report file has every row."""
PRODUCT_FILES = Path(accordeer.__file__).resolve().parents[1]
"""Where the product itself lies (a source checkout, or site-packages): never the person's own folder."""


@dataclass
class Outcome:
    row: int
    result: str = PENDING
    column: str = ""
    reason: Phrase | None = None
    message_id: str = ""
    items: list[str] = field(default_factory=list)
    statuses: set[int] = field(default_factory=set)

    def cells(self, language: str) -> list[Any]:
        statuses = ", ".join(f"{code} {status_label(code, language)}" for code in sorted(self.statuses))
        return [
            self.row,
            RESULTS[self.result].read(language),
            self.column,
            self.reason.read(language) if self.reason else "",
            self.message_id,
            " ".join(self.items),
            statuses,
        ]


def status_label(code: int, language: str) -> str:
    return StatusCode(code).label if language == "en" else STATUSES[code]


def show(outcomes: list[Outcome], console: Console, language: str) -> None:
    counts = {result: sum(o.result == result for o in outcomes) for result in RESULTS}
    table = Table(*REPORT_COLUMNS[language], title="Import", show_lines=False)
    quiet = len(outcomes) > SHOWN_ACCEPTED
    for outcome in outcomes:
        if not (quiet and outcome.result in GOOD):
            style = None if outcome.result in GOOD else "red"
            table.add_row(*(str(c) for c in outcome.cells(language)), style=style)
    if table.rows:
        console.print(table)
    console.print(
        ", ".join(f"{n} {RESULTS[result].read(language)}" for result, n in counts.items() if n)
        or Phrase("geen rijen", "no rows").read(language)
    )


def report_path(source: Path, given: Path | None = None) -> Path:
    """Where --report says, else beside the file when that folder is the person's, else the current folder, else
    their home: never into the product's own files (its shipped example among them)."""
    if given is not None:
        return given
    name = f"{source.stem.removesuffix('.rapport')}.rapport{report_suffix(source)}"
    folders = (source.resolve().parent, Path.cwd().resolve(), Path.home().resolve())
    return next((folder for folder in folders if _persons(folder)), folders[-1]) / name


def _persons(folder: Path) -> bool:
    return not folder.is_relative_to(PRODUCT_FILES) and os.access(folder, os.W_OK)


def write_report(path: Path, sheet: Sheet, outcomes: list[Outcome], language: str) -> None:
    """The file's own columns (without an earlier report's) and the outcome of each row beside them."""
    earlier = {key_of(c) for columns in REPORT_COLUMNS.values() for c in columns}
    kept = [i for i, header in enumerate(sheet.headers) if key_of(header) not in earlier]
    by_row = {o.row: o for o in outcomes}
    rows = [
        [cells[i] for i in kept] + by_row.get(number, Outcome(number)).cells(language) for number, cells in sheet.rows
    ]
    write_sheet(path, [sheet.headers[i] for i in kept] + list(REPORT_COLUMNS[language]), rows)
