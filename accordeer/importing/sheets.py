"""Reading an import file (XLSX or CSV) as headers and numbered rows, and writing a report in the same form."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUFFIXES = (".xlsx", ".csv")


@dataclass(frozen=True)
class Sheet:
    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    """(row number as the spreadsheet shows it, cell values); empty rows are left out."""


def read_sheet(path: Path) -> Sheet:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"{path.name}: give an .xlsx or .csv file")
    lines = list(_xlsx_rows(path) if suffix == ".xlsx" else _csv_rows(path))
    if not lines:
        raise ValueError(f"{path.name} is empty: its first row must hold the column headers")
    headers = [str(h).strip() if h is not None else "" for h in lines[0]]
    rows = [(number, _padded(cells, len(headers))) for number, cells in enumerate(lines[1:], start=2)
            if any(_filled(c) for c in cells)]
    return Sheet(headers, rows)


def _xlsx_rows(path: Path) -> Iterator[tuple]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as error:
        raise ValueError(f"{path.name} cannot be read as an Excel workbook: {error}") from None
    try:
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    finally:
        workbook.close()


def _csv_rows(path: Path) -> Iterator[list[str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{path.name} is not UTF-8 text; save the CSV as UTF-8") from None
    # Dutch Excel writes ';'-separated CSV; others write ','.
    dialect = csv.Sniffer().sniff(text.split("\n", 1)[0] or ",", delimiters=";,\t")
    yield from csv.reader(io.StringIO(text), dialect)


def _filled(cell: Any) -> bool:
    return cell is not None and str(cell).strip() != ""


def _padded(cells, width: int) -> list[Any]:
    cells = list(cells)[:width]
    return cells + [None] * (width - len(cells))


def write_sheet(path: Path, headers: list[str], rows: list[list[Any]]) -> None:
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out, delimiter=";")
            writer.writerow(headers)
            writer.writerows(["" if c is None else c for c in row] for row in rows)
        return
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Rapport")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
