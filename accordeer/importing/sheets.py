"""Reading an import file (XLSX or CSV) as headers and numbered rows, and writing a report in the same form."""

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

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


def _xlsx_rows(path: Path) -> list[tuple]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    # The sheet's XML is only parsed while its rows are read, so a broken or hostile sheet (a DTD, an entity)
    # fails there, not at opening: both are one refusal.
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            return list(workbook.worksheets[0].iter_rows(values_only=True))
        finally:
            workbook.close()
    except (InvalidFileException, KeyError, IndexError, OSError, ValueError, TypeError, zipfile.BadZipFile,
            ParseError) as error:
        raise ValueError(f"{path.name} cannot be read as an Excel workbook: {error}") from None


def _csv_rows(path: Path) -> list[list[str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{path.name} is not UTF-8 text; save the CSV as UTF-8") from None
    # Dutch Excel writes ';'-separated CSV; others write ','.
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0] or ",", delimiters=";,\t")
    except csv.Error:  # a single column, or no line the sniffer can read: plain commas
        dialect = csv.excel
    try:
        return list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as error:
        raise ValueError(f"{path.name} cannot be read as CSV: {error}") from None


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
