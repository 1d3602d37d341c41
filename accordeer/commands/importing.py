"""`accordeer import`: dossier items from a spreadsheet or CSV list and a folder of documents, with a report per
row in the language of the list."""

from pathlib import Path
from typing import Annotated

import typer

from accordeer.commands.common import PEOPLE, app, friendly, on_database


@app.command("import", rich_help_panel=PEOPLE)
@friendly
def import_file(
    file: Annotated[Path, typer.Argument(help="The list: .xlsx, .xls, .ods or .csv, one dossier item per row.")],
    documents: Annotated[
        Path,
        typer.Option(help="Folder with the documents; each name starts with the row's organisation/person number."),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row; publish nothing.")] = False,
    submitter: Annotated[
        str | None,
        typer.Option(
            "--as", help="Who imports: the submitter of rows that name none (default: the import's service user)."
        ),
    ] = None,
    wait: Annotated[float, typer.Option(help="Seconds to wait for intake's outcome of all rows; 0: don't.")] = 120,
    report: Annotated[
        Path | None,
        typer.Option(
            help="Where to write the report (default: FILE.rapport.xlsx|csv "
            "beside FILE when that folder is yours, else in the current "
            "folder or your home)."
        ),
    ] = None,
    shares: Annotated[
        str,
        typer.Option(
            envvar="ACCORDEER_IMPORT_SHARES",
            help="UNC=FOLDER[;...]: the local folder each attachment share stands for.",
        ),
    ] = "",
    language: Annotated[
        str | None, typer.Option(help="nl or en (default: the language of the list's headers).")
    ] = None,
    allow_same_document: Annotated[
        bool,
        typer.Option(
            "--allow-same-document",
            help="Import a row whose document another row or dossier item already has for the "
            "same destination and message type, as a new declaration.",
        ),
    ] = False,
) -> None:
    """Import new dossier items (Accorderingsbericht) from a list; same declarations again: nothing new."""
    from rich.console import Console
    from rich.progress import Progress

    from accordeer.importing.documents import parse_shares
    from accordeer.importing.outcomes import GOOD, report_path, show, write_report
    from accordeer.importing.phrases import LANGUAGES, Phrase
    from accordeer.importing.running import Request, run_import
    from accordeer.importing.sheets import SheetProblem
    from shared.settings import Settings

    if language is not None and language not in LANGUAGES:
        raise ValueError(f"--language {language}: give nl or en")
    if not file.is_file():
        raise ValueError(f"{file}: no such file")
    if not documents.is_dir():
        raise ValueError(f"--documents {documents}: not a folder")
    request = Request(file, documents, parse_shares(shares), submitter, dry_run, wait, language, allow_same_document)
    console = Console(width=None if Console().is_terminal else 200)
    settings = Settings()
    try:
        with Progress(console=Console(stderr=True), transient=True, disable=not console.is_terminal) as progress:
            imported = on_database(lambda conn: run_import(conn, settings, request, progress))
    except SheetProblem as problem:
        typer.secho(problem.phrase.read(language or "nl"), fg="red", err=True)
        raise typer.Exit(2) from None
    said = imported.language
    console.print(
        Phrase(f"{file.name}: gelezen als ", f"{file.name}: read as ").read(said) + imported.sheet.form.read(said)
    )
    show(imported.outcomes, console, said)
    if imported.outcomes and imported.outcomes[0].row > 1:  # row 1 is the headers: a refused header leaves no rows
        written = report_path(file, report)
        write_report(written, imported.sheet, imported.outcomes, said)
        console.print(
            Phrase(f"rapport: {written}", f"report: {written}").read(said)
            + (Phrase(" (proefimport: niets verstuurd)", " (dry run: nothing published)").read(said) if dry_run else "")
        )
    raise typer.Exit(0 if all(o.result in GOOD for o in imported.outcomes) else 1)
