"""The file around the rows: its headers (Dutch, English, forbidden, unknown, missing), XLSX and CSV, the report."""

from openpyxl import Workbook, load_workbook

from accordeer.importing.columns import read_headers
from accordeer.importing.outcomes import REFUSED, Outcome, report_path, write_report
from accordeer.importing.sheets import read_sheet
from tests.unit.importing.conftest import HEADERS


def test_dutch_and_english_headers_name_the_same_fields():
    dutch, _ = read_headers(HEADERS + ["Instuurder", "Instuurdatum", "Bijlage", "Kenmerk: periode"])
    english, _ = read_headers(["item type", "organisation/person", "contact", "subject", "message type", "document",
                               "submitter", "submit date", "attachment", "characteristic: periode"])
    assert dutch.fields == english.fields and dutch.maps == english.maps


def test_unknown_missing_and_forbidden_columns_are_refused():
    _, problems = read_headers(["Organisatie/persoon", "Onderwerp", "Medewerker", "Reactie", "Kleur", "Onderwerp"])
    reasons = dict(problems)
    assert "employee or debtor numbers cannot be used" in reasons["Medewerker"]
    assert "reactions cannot be imported" in reasons["Reactie"]
    assert reasons["Kleur"].startswith("unknown column")
    assert reasons["Berichttype"] == reasons["Document"] == "required column is missing"
    assert [h for h, r in problems if "twice" in r] == ["Onderwerp"]


def test_report_columns_and_the_ignored_delivery_choice_are_skipped():
    columns, problems = read_headers(HEADERS + ["Keuze verstrekkingswijze", "Rij", "Resultaat", "Reden"])
    assert problems == [] and len(columns.fields) == len(HEADERS)


def test_xlsx_and_csv_read_alike_and_empty_rows_are_left_out(tmp_path):
    workbook = Workbook()
    workbook.active.append(HEADERS)
    workbook.active.append(["Accorderingsbericht", "ORG-10045", None, "Btw", "btw-aangifte", "a.xbrl"])
    workbook.active.append([None] * 6)
    workbook.active.append(["Accorderingsbericht", 10046, None, "Btw", "btw-aangifte", "b.xbrl"])
    workbook.save(tmp_path / "lijst.xlsx")
    (tmp_path / "lijst.csv").write_text(";".join(HEADERS) + "\nAccorderingsbericht;ORG-10045;;Btw;btw-aangifte;a.xbrl"
                                        "\n;;;;;\nAccorderingsbericht;10046;;Btw;btw-aangifte;b.xbrl\n",
                                        encoding="utf-8-sig")
    xlsx, csv = read_sheet(tmp_path / "lijst.xlsx"), read_sheet(tmp_path / "lijst.csv")
    assert xlsx.headers == csv.headers == HEADERS
    assert [n for n, _ in xlsx.rows] == [n for n, _ in csv.rows] == [2, 4]


def test_the_report_is_the_file_again_with_each_rows_outcome_beside_it(tmp_path):
    source = tmp_path / "lijst.csv"
    source.write_text(";".join(HEADERS) + "\nAccorderingsbericht;ORG-10045;;Btw;btw-aangifte;a.xbrl\n")
    sheet = read_sheet(source)
    write_report(report_path(source), sheet, [Outcome(2, REFUSED, "Document", "not in the folder")])
    report = read_sheet(tmp_path / "lijst.rapport.csv")
    assert report.headers[:6] == HEADERS and report.rows[0][1][7:10] == ["refused", "Document", "not in the folder"]
    # importing the corrected report again writes its report over the same file, not a third one
    assert report_path(tmp_path / "lijst.rapport.csv") == tmp_path / "lijst.rapport.csv"
    again = tmp_path / "lijst.rapport.xlsx"
    write_report(again, report, [Outcome(2, REFUSED, "Document", "still not")])
    rows = list(load_workbook(again).active.iter_rows(values_only=True))
    assert rows[0].count("Reden") == 1 and rows[1][9] == "still not"


def test_the_shipped_example_imports_clean(rules):
    from accordeer.importing.judging import judge_rows
    from accordeer.importing.rows import Setup
    from shared.settings import REPO_ROOT
    from tests.support.parties import GOLDEN_PARTIES

    example = REPO_ROOT / "deploy" / "examples" / "import"
    sheet = read_sheet(example / "aangiften.xlsx")
    columns, problems = read_headers(sheet.headers)
    outcomes, ready = judge_rows(sheet.rows, columns, Setup("import", example / "documenten", parties=GOLDEN_PARTIES),
                                 rules)
    assert problems == [] and [o.reason for o in outcomes.values()] == [""] * 5 and len(ready) == 5
