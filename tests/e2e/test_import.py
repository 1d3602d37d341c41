"""`accordeer import` against real Kafka and PostgreSQL: 1,000 rows, a share of them wrong in different ways."""

import time

import pytest
from openpyxl import Workbook, load_workbook

from accordeer.directory.topic import end_offsets
from tests.support.documents import DOCUMENTS_DIR
from tests.unit.importing.conftest import SPREADSHEETS

pytestmark = pytest.mark.e2e

HEADERS = [
    "Type dossieritem",
    "Organisatie/persoon",
    "Contactpersoon",
    "Onderwerp",
    "Berichttype",
    "Document",
    "Instuurder",
    "Instuurdatum",
    "Bijlage",
]
CLIENTS = [
    ("ORG-10044", "CP-2229", "btw-aangifte", "btw-aangifte-2025-01.xbrl"),
    ("ORG-10045", "CP-2231", "btw-aangifte", "btw-aangifte-2025-01.xbrl"),
    ("ORG-10045", "CP-2232", "loonheffing", "loonheffing-2025-02.xml"),
    ("ORG-10046", "", "btw-aangifte", "btw-aangifte-2025-01.xbrl"),
]
WRONG = {  # every tenth row is wrong in one of these ways: (column the report names, the change)
    0: (
        "Document",
        lambda r, n: (
            r.update(document=f"ORG-10046_{n:04}.xbrl")
            if r["org"] != "ORG-10046"
            else r.update(document=f"ORG-10045_{n:04}.xbrl")
        ),
    ),
    1: ("Document", lambda r, n: r.update(document=f"4711_{n:04}.xbrl")),
    2: ("Bijlage", lambda r, n: r.update(attachment=f"C:\\Import\\Toelichting {n}.pdf")),
    3: ("Instuurdatum", lambda r, n: r.update(date="31-02-2025")),
    4: ("Organisatie/persoon", lambda r, n: r.update(org="ORG-99999", contact="", document=f"ORG-99999_{n:04}.xbrl")),
    5: (
        "Contactpersoon",
        lambda r, n: r.update(contact="CP-2240") if r["org"] != "ORG-10046" else r.update(contact="CP-2231"),
    ),
    6: ("Instuurder", lambda r, n: r.update(submitter="onbekend")),
    7: ("Document", lambda r, n: r.update(document=r["previous"])),  # a second document of one name
}


def build(folder, rows=1000):
    """The list and its documents folder; returns (file, expected refusals: row → column, valid count)."""
    documents = folder / "documenten"
    documents.mkdir()
    book = Workbook()
    book.active.append(HEADERS)
    expected, previous = {}, {}
    for n in range(rows):
        org, contact, message_type, golden = CLIENTS[n % len(CLIENTS)]
        row = {
            "org": org,
            "contact": contact,
            "document": f"{org}_{message_type}_{n:04}{golden[-5:]}",
            "submitter": "",
            "date": "",
            "attachment": "",
            "previous": previous.get(org, ""),
        }
        own_document(golden, documents / row["document"], n)
        if n % 10 == 9 and row["previous"]:
            column, change = WRONG[(n // 10) % len(WRONG)]
            change(row, n)
            expected[n + 2] = column
            if not (documents / row["document"]).exists():  # wrong by its name, not by being absent
                own_document(golden, documents / row["document"], n)
        previous[org] = row["document"]
        book.active.append(
            [
                "Accorderingsbericht",
                row["org"],
                row["contact"],
                f"Aangifte {n}",
                message_type,
                row["document"],
                row["submitter"],
                row["date"],
                row["attachment"],
            ]
        )
    book.save(folder / "aangiften.xlsx")
    return folder / "aangiften.xlsx", documents, expected, rows - len(expected)


def own_document(golden: str, path, n: int) -> None:
    """The golden document made this row's own (a comment after the root): each row is its own declaration."""
    path.write_bytes((DOCUMENTS_DIR / golden).read_bytes() + f"<!-- aangifte {n} -->\n".encode())


def report_rows(path):
    rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    header = rows[0]
    # a write-only workbook read back in read-only mode ends each row at its last filled cell
    return [dict(zip(header, r, strict=False)) for r in rows[1:]]


async def imported(system) -> int:
    return await system.db.fetchval("SELECT count(*) FROM intake.dossier_items WHERE source = 'import'")


async def test_a_thousand_rows_import_once_with_a_report_and_never_twice(system, tmp_path):
    system.start("intake")
    xlsx, documents, expected, valid = build(tmp_path)
    inbound = lambda: end_offsets(system.settings.kafka_bootstrap_servers, system.topics.inbound_from("import"))  # noqa: E731

    before, started = await inbound(), time.monotonic()
    dry = await system.cli("import", str(xlsx), "--documents", str(documents), "--dry-run", timeout=300)
    dry_seconds = time.monotonic() - started
    assert dry.returncode == 1, dry.stdout + dry.stderr
    assert await inbound() == before and await imported(system) == 0
    assert f"{valid} gecontroleerd, {len(expected)} geweigerd" in dry.stdout, dry.stdout[-3000:]

    started = time.monotonic()
    first = await system.cli("import", str(xlsx), "--documents", str(documents), "--wait", "240", timeout=300)
    first_seconds = time.monotonic() - started
    assert first.returncode == 1 and "Traceback" not in first.stderr, first.stdout + first.stderr
    assert f"{valid} geaccepteerd, {len(expected)} geweigerd" in first.stdout, first.stdout
    assert await imported(system) == valid
    report = report_rows(tmp_path / "aangiften.rapport.xlsx")
    refused = {r["Rij"]: r["Kolom"] for r in report if r["Resultaat"] == "geweigerd"}
    assert refused == expected
    assert all(r["Dossieritems"] and r["Status"].startswith("20") for r in report if r["Resultaat"] == "geaccepteerd")
    assert "\\\\client\\C$\\Import\\Toelichting" in next(r["Reden"] for r in report if r["Kolom"] == "Bijlage")

    published, started = await inbound(), time.monotonic()
    again = await system.cli("import", str(xlsx), "--documents", str(documents), "--wait", "60", timeout=300)
    again_seconds = time.monotonic() - started
    assert f"{valid} al geïmporteerd, {len(expected)} geweigerd" in again.stdout, again.stdout + again.stderr
    assert await inbound() == published and await imported(system) == valid
    print(f"1,000 rows: dry run {dry_seconds:.1f}s, import {first_seconds:.1f}s, again {again_seconds:.1f}s")


async def test_the_shipped_example_imports_as_the_readme_shows(system, tmp_path):
    system.start("intake")
    example = "deploy/examples/import"
    result = await system.cli(
        "import",
        f"{example}/aangiften.xlsx",
        "--documents",
        f"{example}/documenten",
        "--as",
        "m.devries",
        "--report",
        str(tmp_path / "rapport.csv"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 geaccepteerd" in result.stdout and "ORG-" not in result.stderr
    submitters = await system.db.fetch("SELECT submitter FROM intake.dossier_items WHERE source = 'import'")
    assert sorted(r["submitter"] for r in submitters) == ["m.devries"] * 5
    assert (tmp_path / "rapport.csv").read_text(encoding="utf-8-sig").count("geaccepteerd") == 5


async def items_per_declaration(system) -> dict[str, int]:
    rows = await system.db.fetch(
        "SELECT message_id, count(*) AS items FROM intake.dossier_items WHERE source = 'import' GROUP BY message_id"
    )
    return {r["message_id"]: r["items"] for r in rows}


async def test_every_programs_copy_of_the_list_files_each_declaration_once(system, tmp_path):
    """The list with a wrong row, its report corrected and saved by LibreOffice, then the example and every form
    LibreOffice saved it in (dates as date cells and in other notations, Windows-1252, .xls, .ods, apostrophes)."""
    system.start("intake")
    documents = "deploy/examples/import/documenten"

    async def run(name: str, *extra: str):
        result = await system.cli(
            "import",
            str(SPREADSHEETS / name),
            "--documents",
            documents,
            "--wait",
            "60",
            "--report",
            str(tmp_path / f"{name}.rapport.csv"),
            *extra,
        )
        assert "Traceback" not in result.stderr, result.stderr
        return result

    wrong = await run("aangiften-fout.csv")
    assert wrong.returncode == 1 and "4 geaccepteerd, 1 geweigerd" in wrong.stdout, wrong.stdout
    report = (tmp_path / "aangiften-fout.csv.rapport.csv").read_text(encoding="utf-8-sig")
    assert ";geweigerd;Contactpersoon;contactpersoon CP-2231 hoort in het relatiebestand niet bij ORG-10046;" in report
    corrected = await run("aangiften-fout.rapport.gecorrigeerd.xlsx")
    assert corrected.returncode == 0 and "1 geaccepteerd, 4 al geïmporteerd" in corrected.stdout, corrected.stdout
    first = await items_per_declaration(system)
    assert len(first) == 5 and set(first.values()) == {1}

    for name in [
        "aangiften.csv",
        "aangiften.xlsx",
        "aangiften.xls",
        "aangiften.ods",
        "aangiften-windows-1252.csv",
        "aangiften-excel-datums.csv",
        "aangiften-apostrof.xlsx",
    ]:
        again = await run(name)
        assert again.returncode == 0 and "5 al geïmporteerd" in again.stdout, (name, again.stdout)
    windows = await run("aangiften-windows-1252.csv", "--dry-run")
    assert "gelezen als CSV in Windows-1252, scheidingsteken ';'" in windows.stdout
    assert await items_per_declaration(system) == first

    # the same document under another subject: held back, naming the item that has it
    changed = tmp_path / "ander-onderwerp.csv"
    changed.write_text(
        (SPREADSHEETS / "aangiften.csv")
        .read_text(encoding="utf-8")
        .replace("ICP-opgaaf 1e kwartaal 2025", "ICP-opgaaf 1e kwartaal 2025 herzien"),
        encoding="utf-8",
    )
    held = await system.cli("import", str(changed), "--documents", documents, "--wait", "60")
    assert held.returncode == 1 and "4 al geïmporteerd, 1 dubbel" in held.stdout, held.stdout
    item = await system.db.fetchval(
        "SELECT id::text FROM intake.dossier_items WHERE organisation_person_id = 'ORG-20311'"
    )
    report = (tmp_path / "ander-onderwerp.rapport.csv").read_text(encoding="utf-8-sig")
    assert f"is al geïmporteerd als dossieritem {item}" in report and "--allow-same-document" in report
    assert await items_per_declaration(system) == first


async def test_rows_intake_gives_no_outcome_for_in_time_are_no_outcome_and_exit_1(system, tmp_path):
    """Intake not running: the rows are published, and the person is told to import again later."""
    result = await system.cli(
        "import",
        str(SPREADSHEETS / "aangiften.csv"),
        "--documents",
        "deploy/examples/import/documenten",
        "--wait",
        "2",
        "--report",
        str(tmp_path / "r.csv"),
    )
    assert result.returncode == 1 and "5 geen uitkomst" in result.stdout, result.stdout + result.stderr
    assert "importeer het bestand later opnieuw" in (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
