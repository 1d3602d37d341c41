"""`accordeer sessions`: the portal's sessions, kept in PostgreSQL, for operators (a stolen laptop, a changed
password, someone who left)."""

from typing import Annotated

import typer

from accordeer.commands.common import OPERATORS, app, friendly, on_database

sessions_app = typer.Typer(help="The portal's sessions: who is logged in, ended at once.", no_args_is_help=True)
app.add_typer(sessions_app, name="sessions", rich_help_panel=OPERATORS)


@sessions_app.command(
    "end",
    epilog="Exit codes: 0 ended (or there were none); 2 no such user and no session, or the database not reachable.",
)
@friendly
def end(user: Annotated[str, typer.Argument(help="A user of the portal, e.g. sanne.vandijk.")]) -> None:
    """End every portal session of USER at once, on every device: their next click asks for the password again.

    Do this after changing their password in the accounts file, or when a device of theirs is lost."""
    from services.portal.accounts import load_accounts
    from services.portal.config import PortalSettings
    from services.portal.session_store import end_sessions_of

    ended = on_database(lambda conn: end_sessions_of(conn, user))
    if ended:  # also of a user removed from the accounts file since
        typer.echo(f"{user}: {ended} session(s) ended")
        return
    accounts_file = PortalSettings().accounts_file
    if user not in load_accounts(accounts_file):
        raise ValueError(f"{user!r} is not a user in {accounts_file} and has no session; nothing was ended")
    typer.echo(f"{user} had no session; nothing to end")
