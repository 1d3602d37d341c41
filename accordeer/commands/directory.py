"""Commands for the directory of organisations and persons (``directory.parties``): load a file, show it."""

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer

from accordeer.commands.common import INTEGRATORS, app, friendly
from shared.settings import Settings

directory_app = typer.Typer(
    help="The organisations and persons declarations are for, with their contacts.", no_args_is_help=True
)
app.add_typer(directory_app, name="directory", rich_help_panel=INTEGRATORS)


@directory_app.command(
    "load",
    epilog="Exit codes: 0 published (or nothing to change); 2 errors in the file, or "
    "Kafka not reachable (nothing was published).",
)
@friendly
def directory_load(
    file: Annotated[
        Path,
        typer.Argument(help="YAML like deploy/config/directory.yaml, or CSV like deploy/config/directory.example.csv."),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only check the file and say what would change.")] = False,
) -> None:
    """Make the directory equal to FILE: its parties are added or updated, every party it leaves out is removed.

    The whole file is checked first; with any error nothing is published (exit 2).
    """
    from accordeer.directory.changes import compare
    from accordeer.directory.files import read_directory_file
    from accordeer.directory.topic import publish_changes, read_directory

    read = read_directory_file(file.name, _text_of(file))
    if not read.ok:
        for error in read.errors:
            typer.echo(error, err=True)
        typer.secho(f"{len(read.errors)} error(s) in {file}; nothing was published", fg="red", err=True)
        raise typer.Exit(2)
    settings = Settings()
    topic = settings.topics.directory
    changes = compare(asyncio.run(read_directory(settings.kafka_bootstrap_servers, topic)), read.parties)
    typer.echo(changes.summary())
    if dry_run:
        typer.echo("dry run: nothing was published")
        return
    published = asyncio.run(publish_changes(settings.kafka_bootstrap_servers, topic, changes))
    typer.echo(f"published {published} record(s) to {topic}" if published else "the directory already equals the file")


@directory_app.command("show")
@friendly
def directory_show(
    party_id: Annotated[str | None, typer.Argument(metavar="[ID]", help="One organisation_person_id.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Every party in the directory, or one with its numbers and contacts. With --json, all of them in the shape
    `directory load` reads back (save it as a .json file)."""
    from accordeer.directory.rendering import party_details, party_table
    from accordeer.directory.topic import read_directory

    settings = Settings()
    parties = asyncio.run(read_directory(settings.kafka_bootstrap_servers, settings.topics.directory))
    if party_id is None:
        listed = sorted(parties.values(), key=lambda p: p.organisation_person_id)
        # --json has the shape of a directory file: `directory load` takes it back (a .json file).
        document = {"parties": [p.model_dump(mode="json") for p in listed]}
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False) if as_json else party_table(listed))
        return
    party = parties.get(party_id)
    if party is None:
        typer.secho(f"no party {party_id} in the directory ({settings.topics.directory})", fg="red", err=True)
        raise typer.Exit(1)
    typer.echo(party.model_dump_json(indent=2) if as_json else party_details(party))


def _text_of(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{file} is not UTF-8 text") from None
    except OSError as error:
        raise ValueError(f"cannot read {file}: {error.strerror or error}") from None
