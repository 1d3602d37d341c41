"""Reading an import file as headers and numbered rows, and writing a report in a form the same programs open.

Workbooks (.xlsx, .xlsm, .xls, .ods) are read by calamine, which reads what Excel and LibreOffice write, dates as
dates. A CSV is read in the encoding it is in: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode
text"), else Windows-1252 (what Excel NL writes for "CSV (gescheiden door lijstscheidingsteken)").
"""

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accordeer.importing.phrases import SAVE_AS_UTF8_CSV, SAVE_AS_XLSX, Phrase

WORKBOOKS = (".xlsx", ".xlsm", ".xls", ".ods")
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
"""The most a zipped workbook may unpack to before it is refused (an import list is far smaller)."""
SUFFIXES = (*WORKBOOKS, ".csv")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
_ENCODING_NAMES = {"utf-8": "UTF-8", "cp1252": "Windows-1252"}
_NO_FORM = Phrase("", "")


class SheetProblem(ValueError):
    """The file as a whole cannot be read; the phrase says why and what to save it as."""

    def __init__(self, phrase: Phrase):
        super().__init__(phrase.en)
        self.phrase = phrase


@dataclass(frozen=True)
class Sheet:
    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    """(row number as the spreadsheet shows it, cell values); empty rows are left out."""
    form: Phrase = _NO_FORM
    """How the file was read, for the report: a workbook, or a CSV with its encoding and separator."""


def read_sheet(path: Path) -> Sheet:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SheetProblem(
            Phrase(
                f"{path.name}: een {suffix or 'bestand zonder extensie'} kan niet gelezen worden;"
                " geef een .xlsx-, .xls-, .ods- of .csv-bestand; ",
                f"{path.name}: a {suffix or 'file without an extension'} cannot be read; give an"
                " .xlsx, .xls, .ods or .csv file; ",
            )
            + SAVE_AS_XLSX
        )
    lines, form = _workbook_rows(path) if suffix in WORKBOOKS else _csv_rows(path)
    if not lines:
        raise SheetProblem(
            Phrase(
                f"{path.name} is leeg: de eerste rij moet de kolomkoppen bevatten",
                f"{path.name} is empty: its first row must hold the column headers",
            )
        )
    headers = [str(h).strip() if h is not None else "" for h in lines[0]]
    rows = [
        (number, _padded(cells, len(headers)))
        for number, cells in enumerate(lines[1:], start=2)
        if any(_filled(c) for c in cells)
    ]
    return Sheet(headers, rows, form)


def _workbook_rows(path: Path) -> tuple[list[list[Any]], Phrase]:
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    if _declares_dtd(path):
        raise SheetProblem(
            Phrase(
                f"{path.name} bevat een DTD (DOCTYPE of ENTITY); zo'n bestand wordt niet gelezen. Open het in Excel of"
                " LibreOffice en ",
                f"{path.name} declares a DTD (DOCTYPE or ENTITY); such a file is not read. Open it in Excel or"
                " LibreOffice and ",
            )
            + SAVE_AS_XLSX
        )

    try:
        with CalamineWorkbook.from_path(str(path)) as workbook:
            rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        return rows, Phrase(f"werkmap ({path.suffix.lower()})", f"workbook ({path.suffix.lower()})")
    except PasswordError:
        raise SheetProblem(
            Phrase(
                f"{path.name} is met een wachtwoord beveiligd; sla het zonder wachtwoord op",
                f"{path.name} is protected by a password; save it without one",
            )
        ) from None
    except (CalamineError, OSError, ValueError, IndexError) as error:
        raise SheetProblem(
            Phrase(
                f"{path.name} kan niet gelezen worden als werkmap ({error}); open het in Excel of LibreOffice en ",
                f"{path.name} cannot be read as a workbook ({error}); open it in Excel or LibreOffice and ",
            )
            + SAVE_AS_XLSX
        ) from None


def _declares_dtd(path: Path) -> bool:
    """Whether an XML part of a zipped workbook (.xlsx, .xlsm, .ods) declares a DTD or an entity: Excel and
    LibreOffice never write one, and entities are how XML is made to read files or expand without end. Every
    part is scanned, in chunks, up to a bound on what it unpacks to."""
    if not zipfile.is_zipfile(path):
        return False
    unpacked = 0
    with zipfile.ZipFile(path) as workbook:
        for part in workbook.infolist():
            if not part.filename.endswith((".xml", ".rels")):
                continue
            with workbook.open(part) as stream:
                tail = b""
                while chunk := stream.read(1 << 16):
                    unpacked += len(chunk)
                    if unpacked > MAX_UNPACKED_BYTES:
                        return True  # a zip bomb is refused like a DTD: neither is read
                    window = tail + chunk
                    if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                        return True
                    tail = chunk[-16:]
    return False


def _csv_rows(path: Path) -> tuple[list[list[str]], Phrase]:
    text, encoding = _decoded(path)
    # Dutch Excel writes ';'-separated CSV; others write ','.
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text.split("\n", 1)[0] or ",", delimiters=";,\t")
    except csv.Error:  # a single column, or no line the sniffer can read: plain commas
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as error:
        raise SheetProblem(
            Phrase(
                f"{path.name} kan niet als CSV gelezen worden ({error}); ",
                f"{path.name} cannot be read as CSV ({error}); ",
            )
            + SAVE_AS_UTF8_CSV
        ) from None
    separator = {"\t": "tab"}.get(dialect.delimiter, repr(dialect.delimiter))
    return rows, Phrase(f"CSV in {encoding}, scheidingsteken {separator}", f"CSV in {encoding}, separator {separator}")


def _decoded(path: Path) -> tuple[str, str]:
    """The file's text and the name of its encoding: a BOM decides; else UTF-8 if it is that, else Windows-1252."""
    content = path.read_bytes()
    for bom, codec, name in _BOMS:
        if content.startswith(bom):
            return _decode(path, content, codec), name
    for codec, name in _ENCODING_NAMES.items():
        try:
            return content.decode(codec), name
        except UnicodeDecodeError:
            continue
    raise _not_text(path)


def _decode(path: Path, content: bytes, codec: str) -> str:
    try:
        return content.decode(codec)
    except UnicodeDecodeError:
        raise _not_text(path) from None


def _not_text(path: Path) -> SheetProblem:
    return SheetProblem(
        Phrase(
            f"{path.name} is geen tekst in UTF-8 of Windows-1252; ",
            f"{path.name} is not text in UTF-8 or Windows-1252; ",
        )
        + SAVE_AS_UTF8_CSV
    )


def _filled(cell: Any) -> bool:
    return cell is not None and str(cell).strip() != ""


def _padded(cells: Any, width: int) -> list[Any]:
    cells = list(cells)[:width]
    return cells + [None] * (width - len(cells))


def report_suffix(source: Path) -> str:
    """A CSV's report is CSV; any workbook's is .xlsx, which every program that opened it opens too."""
    return ".csv" if source.suffix.lower() == ".csv" else ".xlsx"


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
