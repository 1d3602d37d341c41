"""The file around the rows: its headers (Dutch, English, forbidden, unknown, missing), every form and encoding
offices save it in, its language, and the report and where it goes."""

import os

import pytest
from openpyxl import Workbook, load_workbook

from accordeer.importing.columns import language_of, read_headers
from accordeer.importing.outcomes import PRODUCT_FILES, REFUSED, Outcome, report_path, write_report
from accordeer.importing.phrases import Phrase
from accordeer.importing.sheets import SheetProblem, read_sheet
from tests.unit.importing.conftest import HEADERS, SPREADSHEETS


def test_dutch_and_english_headers_name_the_same_fields():
    dutch, _ = read_headers(HEADERS + ["Instuurder", "Instuurdatum", "Bijlage", "Kenmerk: periode"])
    english, _ = read_headers(
        [
            "item type",
            "organisation/person",
            "contact",
            "subject",
            "message type",
            "document",
            "submitter",
            "submit date",
            "attachment",
            "characteristic: periode",
        ]
    )
    assert dutch.fields == english.fields and dutch.maps == english.maps


def test_the_headers_tell_the_language_of_the_report():
    assert language_of(HEADERS) == "nl"
    assert language_of(["organisation/person", "subject", "message type", "document", "Kenmerk: periode"]) == "en"
    assert language_of(["Document", "Status"]) == "nl"  # words of both languages: Dutch, as Profit


def test_unknown_missing_and_forbidden_columns_are_refused_in_both_languages():
    _, problems = read_headers(["Organisatie/persoon", "Onderwerp", "Medewerker", "Reactie", "Kleur", "Onderwerp"])
    reasons = dict(problems)
    assert "employee or debtor numbers cannot be used" in reasons["Medewerker"].en
    assert "nummers van medewerkers of debiteuren" in reasons["Medewerker"].nl
    assert "reacties kunnen niet geïmporteerd worden" in reasons["Reactie"].nl
    assert reasons["Kleur"].nl.startswith("onbekende kolom") and reasons["Kleur"].en.startswith("unknown column")
    assert (
        reasons["Berichttype"]
        == reasons["Document"]
        == Phrase("verplichte kolom ontbreekt", "required column is missing")
    )
    assert [h for h, r in problems if "twice" in r.en] == ["Onderwerp"]


def test_report_columns_of_either_language_and_the_ignored_delivery_choice_are_skipped():
    columns, problems = read_headers(HEADERS + ["Keuze verstrekkingswijze", "Rij", "Resultaat", "Reden", "Result"])
    assert problems == [] and len(columns.fields) == len(HEADERS)


def test_xlsx_and_csv_read_alike_and_empty_rows_are_left_out(tmp_path):
    workbook = Workbook()
    workbook.active.append(HEADERS)
    workbook.active.append(["Accorderingsbericht", "ORG-10045", None, "Btw", "btw-aangifte", "a.xbrl"])
    workbook.active.append([None] * 6)
    workbook.active.append(["Accorderingsbericht", 10046, None, "Btw", "btw-aangifte", "b.xbrl"])
    workbook.save(tmp_path / "lijst.xlsx")
    (tmp_path / "lijst.csv").write_text(
        ";".join(HEADERS) + "\nAccorderingsbericht;ORG-10045;;Btw;btw-aangifte;a.xbrl"
        "\n;;;;;\nAccorderingsbericht;10046;;Btw;btw-aangifte;b.xbrl\n",
        encoding="utf-8-sig",
    )
    xlsx, csv = read_sheet(tmp_path / "lijst.xlsx"), read_sheet(tmp_path / "lijst.csv")
    assert xlsx.headers == csv.headers == HEADERS
    assert [n for n, _ in xlsx.rows] == [n for n, _ in csv.rows] == [2, 4]


def test_a_sheet_that_starts_lower_down_keeps_its_row_numbers(tmp_path):
    workbook = Workbook()
    workbook.active["B3"] = "Organisatie/persoon"
    workbook.active["B5"] = "ORG-10045"
    workbook.save(tmp_path / "lager.xlsx")
    sheet = read_sheet(tmp_path / "lager.xlsx")
    assert sheet.rows[-1][0] == 5


@pytest.mark.parametrize(
    "name, form",
    [
        ("aangiften.xlsx", "werkmap (.xlsx)"),
        ("aangiften.xls", "werkmap (.xls)"),
        ("aangiften.ods", "werkmap (.ods)"),
        ("aangiften.csv", "CSV in UTF-8, scheidingsteken ';'"),
        ("aangiften-windows-1252.csv", "CSV in Windows-1252, scheidingsteken ';'"),
    ],
)
def test_every_form_libreoffice_saves_reads_the_same_text(name, form):
    sheet = read_sheet(SPREADSHEETS / name)
    assert sheet.form.nl == form
    subjects = [cells[3] for _, cells in sheet.rows]
    assert "Jaarrekening 2023, bedragen in €" in subjects
    assert "ICP-opgaaf 1e kwartaal 2025 (België en Duitsland)" in subjects


def test_utf16_with_a_bom_is_read_and_other_bytes_are_refused_with_how_to_save(tmp_path):
    (tmp_path / "unicode.csv").write_bytes(
        "\ufeffOrganisatie/persoon\tOnderwerp\nORG-10045\tCafé\n".encode("utf-16-le")
    )
    sheet = read_sheet(tmp_path / "unicode.csv")
    assert sheet.rows == [(2, ["ORG-10045", "Café"])] and "UTF-16" in sheet.form.en
    (tmp_path / "kapot.csv").write_bytes(b"\xef\xbb\xbfOnderwerp\n\xff\xfe\x81")
    with pytest.raises(SheetProblem) as refused:
        read_sheet(tmp_path / "kapot.csv")
    assert "CSV UTF-8 (door komma's gescheiden)" in refused.value.phrase.nl


def test_other_file_types_are_refused_with_the_menu_choice_that_fixes_them(tmp_path):
    (tmp_path / "lijst.numbers").write_bytes(b"PK")
    with pytest.raises(SheetProblem) as refused:
        read_sheet(tmp_path / "lijst.numbers")
    assert "'Excel-werkmap (*.xlsx)'" in refused.value.phrase.nl and ".xls-, .ods-" in refused.value.phrase.nl
    (tmp_path / "kapot.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(SheetProblem) as refused:
        read_sheet(tmp_path / "kapot.xlsx")
    assert "cannot be read as a workbook" in refused.value.phrase.en


def test_the_report_is_the_file_again_with_each_rows_outcome_beside_it_in_the_files_language(tmp_path):
    source = tmp_path / "lijst.csv"
    source.write_text(";".join(HEADERS) + "\nAccorderingsbericht;ORG-10045;;Btw;btw-aangifte;a.xbrl\n")
    sheet = read_sheet(source)
    missing = Phrase("staat niet in de map", "not in the folder")
    write_report(report_path(source), sheet, [Outcome(2, REFUSED, "Document", missing)], "nl")
    report = read_sheet(tmp_path / "lijst.rapport.csv")
    assert report.headers[:6] == HEADERS and report.headers[6:8] == ["Rij", "Resultaat"]
    assert report.rows[0][1][7:10] == ["geweigerd", "Document", "staat niet in de map"]
    # importing the corrected report again writes its report over the same file, not a third one
    assert report_path(tmp_path / "lijst.rapport.csv") == tmp_path / "lijst.rapport.csv"
    again = tmp_path / "lijst.rapport.xlsx"
    write_report(again, report, [Outcome(2, REFUSED, "Document", missing)], "en")
    rows = list(load_workbook(again).active.iter_rows(values_only=True))
    assert rows[0].count("Reden") == 0 and rows[0].count("Reason") == 1 and rows[1][9] == "not in the folder"


def test_a_workbooks_report_is_xlsx_and_never_lands_in_the_products_own_files(tmp_path, monkeypatch):
    assert report_path(tmp_path / "lijst.ods") == tmp_path / "lijst.rapport.xlsx"
    shipped = PRODUCT_FILES / "deploy" / "examples" / "import" / "aangiften.xlsx"
    monkeypatch.chdir(tmp_path)
    assert report_path(shipped) == tmp_path / "aangiften.rapport.xlsx"
    monkeypatch.chdir(PRODUCT_FILES)
    monkeypatch.setenv("HOME", str(tmp_path / "thuis"))
    os.mkdir(tmp_path / "thuis")
    assert report_path(shipped) == tmp_path / "thuis" / "aangiften.rapport.xlsx"
    assert report_path(shipped, tmp_path / "hier.csv") == tmp_path / "hier.csv"


def test_the_shipped_example_imports_clean(judge_file):
    outcomes, ready = judge_file(PRODUCT_FILES / "deploy" / "examples" / "import" / "aangiften.xlsx")
    assert [o.reason for o in outcomes.values()] == [None] * 5 and len(ready) == 5
