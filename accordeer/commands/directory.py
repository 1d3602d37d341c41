"""Commands for the directory of organisations and persons (``directory.parties``): load a file, set or remove
some parties, show it."""

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from accordeer.commands.common import INTEGRATORS, app, friendly
from shared.settings import Settings

if TYPE_CHECKING:
    from accordeer.directory.changes import Changes

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
    from accordeer.directory.topic import read_directory

    read = read_directory_file(file.name, _text_of(file))
    if not read.ok:
        for error in read.errors:
            typer.echo(error, err=True)
        typer.secho(f"{len(read.errors)} error(s) in {file}; nothing was published", fg="red", err=True)
        raise typer.Exit(2)
    settings = Settings()
    changes = compare(
        asyncio.run(read_directory(settings.kafka_bootstrap_servers, settings.topics.directory)), read.parties
    )
    _publish(settings, changes, dry_run=dry_run, unchanged="the directory already equals the file")


@directory_app.command(
    "set",
    epilog="Exit codes: 0 published (or nothing to change); 2 errors in the file, or a portal user another party "
    "has (nothing was published).",
)
@friendly
def directory_set(
    file: Annotated[Path, typer.Argument(help="YAML, JSON or CSV with the parties to add or change.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only check the file and say what would change.")] = False,
) -> None:
    """Add or change the parties in FILE; every other party stays as it is (`directory load` makes the directory
    equal to a file). Checked as `load` checks, and against the parties that stay."""
    from accordeer.directory.changes import compare
    from accordeer.directory.files import read_directory_file
    from accordeer.directory.topic import read_directory
    from shared.directory.rules import claimed_elsewhere

    read = read_directory_file(file.name, _text_of(file), whole=False)
    settings = Settings()
    topic = settings.topics.directory
    current = asyncio.run(read_directory(settings.kafka_bootstrap_servers, topic)) if read.ok else {}
    errors = read.errors or claimed_elsewhere(current, read.parties)
    if errors:
        for error in errors:
            typer.echo(error, err=True)
        typer.secho(f"{len(errors)} error(s) in {file}; nothing was published", fg="red", err=True)
        raise typer.Exit(2)
    changes = compare(current, read.parties, whole=False)
    _publish(settings, changes, dry_run=dry_run, unchanged="the directory already has these parties as they are")


@directory_app.command(
    "remove", epilog="Exit codes: 0 removed; 1 a party that is not in the directory (nothing was published)."
)
@friendly
def directory_remove(
    party_ids: Annotated[list[str], typer.Argument(metavar="ID", help="organisation_person_ids to remove.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only say what would be removed.")] = False,
) -> None:
    """Remove parties from the directory; every other party stays. Their dossier items stay, and so does their
    history; new declarations for them are refused (unknown party)."""
    from accordeer.directory.changes import removal
    from accordeer.directory.topic import read_directory

    settings = Settings()
    current = asyncio.run(read_directory(settings.kafka_bootstrap_servers, settings.topics.directory))
    if unknown := sorted({i for i in party_ids if i not in current}):
        typer.secho(
            f"no party {', '.join(unknown)} in the directory ({settings.topics.directory}); nothing was published",
            fg="red",
            err=True,
        )
        raise typer.Exit(1)
    _publish(settings, removal(party_ids), dry_run=dry_run, unchanged="nothing to remove")


def _publish(settings: Settings, changes: "Changes", *, dry_run: bool, unchanged: str) -> None:
    from accordeer.directory.topic import publish_changes

    topic = settings.topics.directory
    typer.echo(changes.summary())
    if dry_run:
        typer.echo("dry run: nothing was published")
        return
    published = asyncio.run(publish_changes(settings.kafka_bootstrap_servers, topic, changes))
    typer.echo(f"published {published} record(s) to {topic}" if published else unchanged)


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
