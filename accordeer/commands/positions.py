"""`accordeer positions`: where each service is in Kafka's topics, and starting one over after a restore."""

from typing import Annotated

import typer

from accordeer.commands.common import OPERATORS, app, friendly, on_database
from accordeer.connect import settings_with_database

positions_app = typer.Typer(
    help="Each service's positions in Kafka (the next offset it applies per partition), which belong to one cluster.",
    no_args_is_help=True,
)
app.add_typer(positions_app, name="positions", rich_help_panel=OPERATORS)


@positions_app.command("show")
@friendly
def positions_show() -> None:
    """Each service's cluster and positions, and whether they fit the Kafka this shell talks to."""
    from shared import topology
    from shared.db.positions import ForeignPositions, check_positions, stored_positions

    settings = settings_with_database()

    async def show(conn) -> list[str]:
        lines = []
        for service in topology.SERVICES:
            positions = await stored_positions(conn, service.name)
            try:
                async with conn.transaction():
                    await check_positions(conn, service.name, settings)
                    verdict = "fit this Kafka"
            except ForeignPositions as error:
                verdict = f"DO NOT FIT: {error}"
            lines.append(f"{service.name}: {len(positions)} position(s); {verdict}")
        return lines

    for line in on_database(show):
        typer.echo(line)


@positions_app.command(
    "forget",
    epilog="Exit codes: 0 forgotten; 1 not confirmed; 2 an unknown service, or the database or Kafka not reachable.",
)
@friendly
def positions_forget(
    service: Annotated[str, typer.Argument(help="intake, workflow, dispatch, notifier, portal or status_api.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False,
) -> None:
    """Start SERVICE over from Kafka's committed offsets, after its database was restored against another Kafka
    (or a topic was made again): its stored positions are dropped and this Kafka's cluster is recorded. Records
    it reads again are judged by their idempotency keys (message id per source, dossier item, action), so nothing
    is applied twice; stop the service first, start it after."""
    from shared import topology
    from shared.db.positions import forget_positions

    if service not in topology.BY_NAME:
        raise ValueError(f"{service!r} is not a service; give one of {', '.join(topology.BY_NAME)}")
    if not yes and not typer.confirm(f"Forget every position of {service}?"):
        raise typer.Exit(1)
    settings = settings_with_database()
    dropped = on_database(lambda conn: forget_positions(conn, service, settings))
    typer.echo(f"{service}: {dropped} position(s) forgotten; it starts from Kafka's committed offsets when started")
