"""Hostile directory and import files: any text or bytes is read into parties/rows or refused with a message
naming the line, row or file; never an exception a person would see as a traceback. Import files cannot make
the import read outside its folders (a UNC attachment with ``..``), nor reach files through XML entities."""

import base64
import io
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from accordeer.directory.files import read_directory_file
from accordeer.importing.columns import read_headers
from accordeer.importing.documents import FileProblem, attachment_of
from accordeer.importing.sheets import SheetProblem, _padded, read_sheet
from tests.unit.importing.conftest import HEADERS, documents, judge, rules  # noqa: F401 - fixtures

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
cells = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.sampled_from(
        [
            "Accorderingsbericht",
            "ORG-10045",
            "CP-2231",
            "btw-aangifte",
            "ORG-10045_ob-2025-01.xbrl",
            "../../etc/passwd",
            "\\\\client\\C$\\..\\x",
            "=cmd|' /C calc'!A0",
            "C:\\Import\\x.pdf",
        ]
    ),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20))
documents_yaml = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "parties",
                    "organisation_person_id",
                    "name",
                    "kind",
                    "active",
                    "numbers",
                    "contacts",
                    "BTW",
                    "contact_id",
                    "email",
                    "portal_user",
                    "x",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@FUZZ
@given(text=st.text(max_size=400), suffix=st.sampled_from([".yaml", ".csv", ".yml", ".txt"]))
def test_any_text_as_a_directory_file_is_parties_or_errors_with_a_line(text, suffix):
    result = read_directory_file(f"directory{suffix}", text)
    assert result.ok or all(e.startswith("directory") for e in result.errors)


@FUZZ
@given(document=documents_yaml)
def test_any_yaml_structure_as_a_directory_file_is_judged(document):
    result = read_directory_file("directory.yaml", yaml.safe_dump(document, allow_unicode=True))
    assert result.ok or result.errors


@FUZZ
@given(content=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_any_bytes_as_an_import_file_are_rows_or_a_refusal_naming_the_file(tmp_path, content, suffix):
    path = tmp_path / f"import{suffix}"
    path.write_bytes(content)
    try:
        sheet = read_sheet(path)
    except ValueError as refusal:
        assert path.name in str(refusal)
    else:
        read_headers(sheet.headers)


@settings(FUZZ, max_examples=150)
@given(rows=st.lists(st.lists(cells, max_size=len(HEADERS) + 2), min_size=1, max_size=4))
# a number cell as the document's name: 1e255 read as 256 digits, a file name no file system holds (found by it)
@example(rows=[[None, 1.0000000000000002e255, None, None, None, 1.0000000000000002e255]])
def test_any_cells_are_judged_row_by_row(judge, rows):  # noqa: F811 - the fixture
    outcomes, _ready = judge([_padded(r, len(HEADERS)) for r in rows])  # as read_sheet gives them
    assert set(outcomes) == set(range(2, 2 + len(rows)))
    assert all(o.reason or o.result != "refused" for o in outcomes.values())


def test_a_unc_attachment_cannot_climb_out_of_its_share(tmp_path):
    share = tmp_path / "import"
    share.mkdir()
    (tmp_path / "secret.pdf").write_bytes(b"not for the import")
    (share / "bijlage.pdf").write_bytes(b"%PDF")
    shares = {"\\\\client\\C$\\Import": share}
    assert attachment_of("\\\\client\\C$\\Import\\bijlage.pdf", shares)["file_name"] == "bijlage.pdf"
    for location in (
        "\\\\client\\C$\\Import\\..\\secret.pdf",
        "\\\\client\\C$\\Import\\sub\\..\\..\\secret.pdf",
        "\\\\client\\C$\\Import\\/" + str(tmp_path / "secret.pdf"),
    ):
        with pytest.raises(FileProblem) as refused:
            attachment_of(location, shares)
        assert "outside" in str(refused.value) or "not there" in str(refused.value)


def _xlsx_with(tmp_path: Path, inject: bytes) -> Path:
    buffer = io.BytesIO()
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet), "a new workbook has one worksheet, active"
    sheet.append(HEADERS)
    sheet.append(["Accorderingsbericht", "ORG-10045", "CP-2231", "PLACEHOLDER", "btw-aangifte", "x.xbrl"])
    book.save(buffer)
    path = tmp_path / "hostile.xlsx"
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename in ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"):
                # before the root element: after the XML declaration when there is one (openpyxl writes none)
                data = data.replace(b"?>", b"?>" + inject, 1) if data.startswith(b"<?xml") else inject + data
                data = data.replace(b"PLACEHOLDER", b"&xxe;")
            target.writestr(item, data)
    return path


def test_an_xlsx_with_an_external_entity_never_reads_the_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-FROM-DISK")
    path = _xlsx_with(tmp_path, f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode())
    with pytest.raises(SheetProblem, match=r"hostile\.xlsx declares a DTD"):
        read_sheet(path)


def test_an_xlsx_with_billion_laughs_is_refused_quickly(tmp_path):
    laughs = (
        b'<!DOCTYPE x [<!ENTITY l0 "ha">'
        + b"".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">'.encode() for n in range(1, 10))
        + b'<!ENTITY xxe "&l9;">]>'
    )
    path = _xlsx_with(tmp_path, laughs)
    with pytest.raises(SheetProblem, match=r"hostile\.xlsx declares a DTD"):
        read_sheet(path)


def test_an_xlsx_with_an_internal_entity_only_is_refused_too(tmp_path):
    """No file reading, no expansion: a DTD at all is what Excel and LibreOffice never write, so it is refused."""
    path = _xlsx_with(tmp_path, b'<!DOCTYPE x [<!ENTITY xxe "Btw januari">]>')
    with pytest.raises(SheetProblem, match="DOCTYPE or ENTITY") as refused:
        read_sheet(path)
    assert "Excel-werkmap" in refused.value.phrase.nl


def test_a_csv_formula_or_base64_blob_is_only_text(tmp_path):
    path = tmp_path / "import.csv"
    blob = base64.b64encode(b"x" * 300).decode()
    path.write_text(";".join(HEADERS) + "\n" + ";".join(["=cmd|' /C calc'!A0", blob, "", "", "", ""]) + "\n")
    sheet = read_sheet(path)
    assert sheet.rows[0][1][:2] == ["=cmd|' /C calc'!A0", blob]
