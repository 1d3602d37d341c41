"""`accordeer second-factor`: the portal's second factor, for operators (a user who lost their phone)."""

from typing import Annotated

import typer

from accordeer.commands.common import OPERATORS, app, friendly, on_database

second_factor_app = typer.Typer(
    help="The portal's second factor (TOTP): staff log in with a code from an app; clients may.",
    no_args_is_help=True,
)
app.add_typer(second_factor_app, name="second-factor", rich_help_panel=OPERATORS)


@second_factor_app.command(
    "reset",
    epilog="Exit codes: 0 reset (or there was none); 1 not confirmed; 2 an unknown user or the database not reachable.",
)
@friendly
def reset(
    user: Annotated[str, typer.Argument(help="A user of the portal's accounts file, e.g. medewerker.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False,
) -> None:
    """Drop USER's second factor and recovery codes, e.g. after a lost phone, and end their portal sessions.

    Their codes, recovery codes and sessions stop working at once. At their next login, after the password, staff
    set up a new one (a client logs in with the password only, and may set one up again). Whoever logs in first
    with the password sets it up: check who asks before you reset, and have them log in soon after.
    """
    from services.portal.accounts import load_accounts
    from services.portal.config import PortalSettings
    from services.portal.factor_store import forget_second_factor
    from services.portal.session_store import end_sessions_of

    accounts_file = PortalSettings().accounts_file
    if user not in load_accounts(accounts_file):
        raise ValueError(f"{user!r} is not a user in {accounts_file}; nothing was reset")
    if not yes and not typer.confirm(f"Drop the second factor of {user}? They set up a new one at their next login."):
        typer.echo("nothing was reset")
        raise typer.Exit(1)

    async def reset_and_end(conn) -> bool:
        async with conn.transaction():
            await end_sessions_of(conn, user)
            return await forget_second_factor(conn, user)

    if on_database(reset_and_end):
        typer.echo(
            f"{user}: second factor and recovery codes dropped, sessions ended; they set up a new one at their next"
            " login"
        )
    else:
        typer.echo(f"{user} had no second factor; nothing to reset")
