"""`accordeer import`: dossier items from an Excel or CSV list and a folder of documents, with a report per row."""

from pathlib import Path
from typing import Annotated

import typer

from accordeer.commands.common import app, friendly, on_database


@app.command("import")
@friendly
def import_file(
    file: Annotated[Path, typer.Argument(help="The list: .xlsx or .csv, one dossier item per row.")],
    documents: Annotated[Path, typer.Option(help="Folder with the documents; each name starts with the row's "
                                                 "organisation/person number.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row; publish nothing.")] = False,
    submitter: Annotated[str | None, typer.Option("--as", help="Who imports: the submitter of rows that name none "
                                                               "(default: the import's service user).")] = None,
    wait: Annotated[float, typer.Option(help="Seconds to wait for intake's outcome of all rows; 0: don't.")] = 120,
    report: Annotated[Path | None, typer.Option(help="Where to write the report (default: FILE.rapport.xlsx|csv "
                                                     "beside FILE).")] = None,
    shares: Annotated[str, typer.Option(envvar="ACCORDEER_IMPORT_SHARES", help="UNC=FOLDER[;...]: the local folder "
                                        "each attachment share stands for.")] = "",
) -> None:
    """Import new dossier items (Accorderingsbericht) from a list; same file again: nothing new."""
    from rich.console import Console
    from rich.progress import Progress

    from accordeer.importing.documents import parse_shares
    from accordeer.importing.outcomes import GOOD, report_path, show, write_report
    from accordeer.importing.running import Request, run_import
    from shared.settings import Settings

    if not documents.is_dir():
        raise ValueError(f"--documents {documents}: not a folder")
    request = Request(file, documents, parse_shares(shares), submitter, dry_run, wait)
    console = Console(width=None if Console().is_terminal else 200)
    settings = Settings()
    with Progress(console=Console(stderr=True), transient=True, disable=not console.is_terminal) as progress:
        sheet, outcomes = on_database(lambda conn: run_import(conn, settings, request, progress))
    show(outcomes, console)
    if outcomes and outcomes[0].row > 1:  # row 1 is the headers: a refused header leaves no rows to report
        written = report or report_path(file)
        write_report(written, sheet, outcomes)
        console.print(f"report: {written}" + (" (dry run: nothing published)" if dry_run else ""))
    raise typer.Exit(0 if all(o.result in GOOD for o in outcomes) else 1)
