"""Commands for the local stack: run, wipe, fetch Kafka, set up a database and topics."""

import asyncio
from typing import Annotated

import typer

from accordeer.commands.common import app, friendly
from accordeer.connect import CACHE_DIR, settings_with_database

stack_app = typer.Typer(help="The local infrastructure.", no_args_is_help=True)
app.add_typer(stack_app, name="stack")


@app.command()
@friendly
def run(demo: Annotated[bool, typer.Option(help="Feed sample declarations and play the client.")] = True) -> None:
    """Run everything here (Kafka, PostgreSQL, the services, the mocked gateway) until Ctrl-C."""
    from accordeer.run import run_stack

    run_stack(demo=demo)


@app.command()
def wipe(yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False) -> None:
    """Delete the local stack's data (.data/): topics, database, logs."""
    from accordeer.run import wipe as wipe_data

    if yes or typer.confirm("Delete all local data?"):
        wipe_data()


@stack_app.command("fetch")
@friendly
def stack_fetch() -> None:
    """Fetch the Kafka broker's jars from Maven Central into .cache/ (once; later runs are offline)."""
    from accordeer.localstack.kafka import ensure_jars

    typer.echo(f"Kafka jars in {ensure_jars(CACHE_DIR)}")


@app.command()
@friendly
def setup() -> None:
    """Apply migrations, create topics, load the shipped configuration where none is loaded yet."""
    from accordeer.setup import prepare

    for line in asyncio.run(prepare(settings_with_database())) or ["nothing to do"]:
        typer.echo(line)
