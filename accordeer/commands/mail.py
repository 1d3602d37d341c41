"""`accordeer mail list`: the mails the local stack's mail sink received (the notifier's task mails)."""

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from accordeer.commands.common import DEVELOPERS, app, friendly
from accordeer.connect import DATA_DIR
from accordeer.listing import AsJson, Limit, Since, newest, since_time

mail_app = typer.Typer(help="Mails the notifier sent to the local stack's mail sink.", no_args_is_help=True)
app.add_typer(mail_app, name="mail", rich_help_panel=DEVELOPERS)


def sink_folder() -> Path:
    """The sink's folder: MAIL_SINK_FOLDER, else the local stack's (.data/mail)."""
    return Path(os.environ.get("MAIL_SINK_FOLDER") or DATA_DIR / "mail")


@mail_app.command("list")
@friendly
def mail_list(
    limit: Limit = 50,
    to: Annotated[str | None, typer.Option("--to", help="Only mails to this address (or part of it).")] = None,
    since: Since = None,
    as_json: AsJson = False,
    folder: Annotated[
        Path | None, typer.Option(help="The sink's folder (default: MAIL_SINK_FOLDER or .data/mail).")
    ] = None,
) -> None:
    """Received mails, newest first: when, to whom, subject."""
    from services.mail_sink.mailbox import read_mailbox

    folder, after = folder or sink_folder(), since_time(since)
    matching = [
        m
        for m in read_mailbox(folder)
        if (to is None or to.lower() in m.to.lower()) and (after is None or m.received_at >= after)
    ]
    mails, more = matching[:limit], newest(matching, limit)[1]
    if as_json:
        rows = [
            {
                "received_at": m.received_at.isoformat(),
                "to": m.to,
                "subject": m.subject,
                "message_id": m.message_id,
                "file": str(m.path),
            }
            for m in mails
        ]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif not mails:
        typer.echo(f"No mail{f' to {to}' if to else ''} in {folder} (the mail sink keeps what the notifier sends).")
    else:
        width = max(len(m.to) for m in mails)
        typer.echo(f"{'received (UTC)':<19}  {'to':<{width}}  subject")
        for m in mails:
            typer.echo(f"{m.received_at:%Y-%m-%d %H:%M:%S}  {m.to:<{width}}  {m.subject}")
        if more:
            typer.echo(more)
