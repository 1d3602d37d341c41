"""`accordeer resend`: send a dossier item that stopped at 70 (failed on the way) to the authority again."""

import asyncio
import getpass
from typing import Annotated

import typer

from accordeer.commands.common import OPERATORS, app, friendly, on_database
from accordeer.connect import settings_with_database
from shared.db.roles import READER

EXIT_CODES = (
    "Exit codes: 0 sent again and answered by the authority (or sent, and its answer still awaited after --wait; "
    "with --no-wait, the resend is recorded); 1 refused, with the reason (not at 70, a resend already under way, "
    "or the new attempt failed too); 2 bad arguments, or PostgreSQL not reachable (nothing was changed); 3 "
    "recorded, but dispatch did not send it within --wait seconds (it will once it runs)."
)


@app.command(epilog=EXIT_CODES, rich_help_panel=OPERATORS)
@friendly
def resend(
    item: Annotated[str | None, typer.Argument(help="Dossier item id, or its first characters.")] = None,
    show: Annotated[
        bool,
        typer.Option(
            "--list",
            help="List the items at 70 that wait for a resend, with the gateway's code and reason, and change nothing.",
        ),
    ] = False,
    as_operator: Annotated[
        str | None,
        typer.Option("--as-operator", help="Who asks, for the audit; default: your user name on this machine."),
    ] = None,
    wait: Annotated[float, typer.Option(min=0.1, help="Seconds to wait until dispatch has sent it again.")] = 30,
    no_wait: Annotated[bool, typer.Option("--no-wait", help="Record the resend and return at once.")] = False,
) -> None:
    """Send an item at 70 again once the cause is fixed: a new attempt with an aanleverkenmerk of its own that
    names the one before (eerderAanleverkenmerk). The request is kept in dispatch's database, so it also works
    while dispatch is down; its status then goes 70 → 60 → ... → 80 or 90 again.
    """
    from accordeer.items import resolve_item
    from shared.operations.resends import NotResent, request_resend, resend_progress

    if show:
        _list_waiting(settings_with_database(role=READER).database_url)
        return
    settings = settings_with_database()
    if item is None:
        raise ValueError("name the dossier item to send again (its id or first characters), or give --list")
    who = as_operator or getpass.getuser()

    async def work(conn) -> tuple[int, str]:
        found = await resolve_item(conn, item)
        requested = await request_resend(conn, found.id, who)
        if isinstance(requested, NotResent):
            return 1, f"refused: {requested.reason}"
        said = (
            f"resend of dossier item {found.id} recorded (asked by {who}): attempt {requested.attempt} as "
            f"aanleverkenmerk {requested.aanleverkenmerk}, eerder {requested.previous_aanleverkenmerk}"
        )
        if no_wait:
            return 0, f"{said}; dispatch sends it when it runs; follow it with `accordeer status`"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        progress = None
        while loop.time() < deadline:
            progress = await resend_progress(conn, found.id, requested.attempt)
            if progress.failed_again:
                return 1, f"{said}; sent again, and it failed again: {progress.failed_again}"
            if progress.final:
                return 0, f"{said}; sent again: dossier item {found.id} is now {progress.status}"
            await asyncio.sleep(0.2)
        if progress is not None and progress.sent:  # the authority's answer may take longer than we wait
            return 0, (
                f"{said}; sent again: dossier item {found.id} is now {progress.status}, waiting for the "
                "authority's answer; follow it with `accordeer status`"
            )
        return 3, (f"{said}; dispatch has not sent it within {wait:g}s (is it running?); it will send it when it runs")

    code, text = on_database(work, settings.database_url)
    typer.echo(text, err=code == 1)
    raise typer.Exit(code)


def _list_waiting(database_url: str) -> None:
    from shared.operations.resends import waiting_for_resend

    rows = on_database(waiting_for_resend, database_url)
    if not rows:
        typer.echo("no item waits for a resend (none is stopped at 70)")
        return
    for r in rows:
        typer.echo(
            f"{r['id']}  {r['message_id']}  attempt {r['attempt']}  {r['gateway_code'] or '-'}  "
            f"since {r['updated_at']:%Y-%m-%d %H:%M:%S}  {r['last_error'] or ''}"
        )
