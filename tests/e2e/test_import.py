"""`accordeer import` against real Kafka and PostgreSQL: 1,000 rows, a share of them wrong in different ways."""

import shutil
import time

import pytest
from openpyxl import Workbook, load_workbook

from accordeer.directory.topic import end_offsets
from tests.support.documents import DOCUMENTS_DIR

pytestmark = pytest.mark.e2e

HEADERS = ["Type dossieritem", "Organisatie/persoon", "Contactpersoon", "Onderwerp", "Berichttype", "Document",
           "Instuurder", "Instuurdatum", "Bijlage"]
CLIENTS = [("ORG-10044", "CP-2229", "btw-aangifte", "btw-aangifte-2025-01.xbrl"),
           ("ORG-10045", "CP-2231", "btw-aangifte", "btw-aangifte-2025-01.xbrl"),
           ("ORG-10045", "CP-2232", "loonheffing", "loonheffing-2025-02.xml"),
           ("ORG-10046", "", "btw-aangifte", "btw-aangifte-2025-01.xbrl")]
WRONG = {  # every tenth row is wrong in one of these ways: (column the report names, the change)
    0: ("Document", lambda r, n: r.update(document=f"ORG-10046_{n:04}.xbrl") if r["org"] != "ORG-10046"
        else r.update(document=f"ORG-10045_{n:04}.xbrl")),
    1: ("Document", lambda r, n: r.update(document=f"4711_{n:04}.xbrl")),
    2: ("Bijlage", lambda r, n: r.update(attachment=f"C:\\Import\\Toelichting {n}.pdf")),
    3: ("Instuurdatum", lambda r, n: r.update(date="31-02-2025")),
    4: ("Organisatie/persoon", lambda r, n: r.update(org="ORG-99999", contact="", document=f"ORG-99999_{n:04}.xbrl")),
    5: ("Contactpersoon", lambda r, n: r.update(contact="CP-2240") if r["org"] != "ORG-10046"
        else r.update(contact="CP-2231")),
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
        row = {"org": org, "contact": contact, "document": f"{org}_{message_type}_{n:04}{golden[-5:]}",
               "submitter": "", "date": "", "attachment": "", "previous": previous.get(org, "")}
        shutil.copy(DOCUMENTS_DIR / golden, documents / row["document"])
        if n % 10 == 9 and row["previous"]:
            column, change = WRONG[(n // 10) % len(WRONG)]
            change(row, n)
            expected[n + 2] = column
            if not (documents / row["document"]).exists():  # wrong by its name, not by being absent
                shutil.copy(DOCUMENTS_DIR / golden, documents / row["document"])
        previous[org] = row["document"]
        book.active.append(["Accorderingsbericht", row["org"], row["contact"], f"Aangifte {n}", message_type,
                            row["document"], row["submitter"], row["date"], row["attachment"]])
    book.save(folder / "aangiften.xlsx")
    return folder / "aangiften.xlsx", documents, expected, rows - len(expected)


def report_rows(path):
    rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, r)) for r in rows[1:]]


async def imported(system) -> int:
    return await system.db.fetchval("SELECT count(*) FROM intake.dossier_items WHERE source = 'import'")


async def test_a_thousand_rows_import_once_with_a_report_and_never_twice(system, tmp_path):
    system.start("intake")
    xlsx, documents, expected, valid = build(tmp_path)
    inbound = lambda: end_offsets(system.settings.kafka_bootstrap_servers, system.topics.inbound)  # noqa: E731

    before, started = await inbound(), time.monotonic()
    dry = await system.cli("import", str(xlsx), "--documents", str(documents), "--dry-run", timeout=300)
    dry_seconds = time.monotonic() - started
    assert dry.returncode == 1, dry.stdout + dry.stderr
    assert await inbound() == before and await imported(system) == 0
    assert f"{valid} checked, {len(expected)} refused" in dry.stdout

    started = time.monotonic()
    first = await system.cli("import", str(xlsx), "--documents", str(documents), "--wait", "240", timeout=300)
    first_seconds = time.monotonic() - started
    assert first.returncode == 1 and "Traceback" not in first.stderr, first.stdout + first.stderr
    assert f"{valid} accepted, {len(expected)} refused" in first.stdout, first.stdout
    assert await imported(system) == valid
    report = report_rows(tmp_path / "aangiften.rapport.xlsx")
    refused = {r["Rij"]: r["Kolom"] for r in report if r["Resultaat"] == "refused"}
    assert refused == expected
    assert all(r["Dossieritems"] and r["Status"].startswith("20") for r in report if r["Resultaat"] == "accepted")
    assert "\\\\client\\C$\\Import\\Toelichting" in next(r["Reden"] for r in report if r["Kolom"] == "Bijlage")

    published, started = await inbound(), time.monotonic()
    again = await system.cli("import", str(xlsx), "--documents", str(documents), "--wait", "60", timeout=300)
    again_seconds = time.monotonic() - started
    assert f"{valid} already imported, {len(expected)} refused" in again.stdout, again.stdout + again.stderr
    assert await inbound() == published and await imported(system) == valid
    print(f"1,000 rows: dry run {dry_seconds:.1f}s, import {first_seconds:.1f}s, again {again_seconds:.1f}s")


async def test_the_shipped_example_imports_as_the_readme_shows(system, tmp_path):
    system.start("intake")
    example = "deploy/examples/import"
    result = await system.cli("import", f"{example}/aangiften.xlsx", "--documents", f"{example}/documenten",
                              "--as", "m.devries", "--report", str(tmp_path / "rapport.csv"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 accepted" in result.stdout and "ORG-" not in result.stderr
    submitters = await system.db.fetch("SELECT submitter FROM intake.dossier_items WHERE source = 'import'")
    assert sorted(r["submitter"] for r in submitters) == ["m.devries"] * 5
    assert (tmp_path / "rapport.csv").read_text(encoding="utf-8-sig").count("accepted") == 5
