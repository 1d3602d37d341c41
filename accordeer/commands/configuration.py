"""Commands for configuration: workflows and routes, authorisations, the built-in item type."""

from pathlib import Path
from typing import Annotated

import typer
import yaml

from accordeer.commands.common import INTEGRATORS, app, friendly, on_database
from accordeer.connect import settings_with_database
from shared.settings import Settings

workflows_app = typer.Typer(help="Workflow definitions and routes (deploy/config by default).", no_args_is_help=True)
authorisations_app = typer.Typer(help="Who may submit which message types.", no_args_is_help=True)
item_type_app = typer.Typer(help="The built-in dossier item type Accorderingsbericht.", no_args_is_help=True)
app.add_typer(workflows_app, name="workflows", rich_help_panel=INTEGRATORS)
app.add_typer(authorisations_app, name="authorisations", rich_help_panel=INTEGRATORS)
app.add_typer(item_type_app, name="item-type", rich_help_panel=INTEGRATORS)


ConfigDir = Annotated[
    Path | None,
    typer.Option("--config", exists=True, file_okay=False, help="Configuration folder (default: deploy/config)."),
]


@workflows_app.command("check")
@friendly
def workflows_check(config: ConfigDir = None) -> None:
    """Validate every workflow and route; changes nothing."""
    from services.workflow.domain import check_config

    publication = check_config(_folder(config or Settings().config_dir))
    if publication.ok:
        for name in sorted(publication.workflows):
            typer.echo(f"{name}: valid (checked only; nothing was published)")
        return
    _report(publication)


@workflows_app.command("publish")
@friendly
def workflows_publish(
    config: ConfigDir = None, by: Annotated[str, typer.Option(help="Who publishes (audit).")] = "cli"
) -> None:
    """Validate and publish all workflows and routes; items waiting for a route are routed at once."""
    from services.workflow.use_cases import publish

    settings = settings_with_database()
    folder = _folder(config or settings.config_dir)
    publication, routed = on_database(
        lambda conn: publish(conn, folder, settings.topics, published_by=by), settings.database_url
    )
    _report(publication)
    if routed:
        typer.echo(f"{routed} waiting dossier item(s) routed into a workflow")


def _folder(path: Path):
    """The configuration folder; one without any workflow is a mistake, never an empty publication."""
    from services.workflow.domain import load_config_folder

    folder = load_config_folder(path)
    if not folder.files:
        raise ValueError(f"{path} holds no workflows (expected YAML files in {path / 'workflows'}); nothing was done")
    return folder


def _report(publication) -> None:
    for line in publication.report():
        typer.echo(line, err=not publication.ok)
    if not publication.ok:
        typer.secho(f"{len(publication.problems)} problem(s); nothing was published", fg="red", err=True)
        raise typer.Exit(1)


@authorisations_app.command("load")
@friendly
def authorisations_load(
    file: Annotated[Path, typer.Argument(help="YAML like deploy/config/authorisations.yaml")],
) -> None:
    """Replace the authorisations by the file's (intake applies them from its next batch). A source new to the
    running system first gets its own topics, and on the secure local stack its principal and ACLs: it can
    submit and read its statuses without any service restarting."""
    import asyncio

    from accordeer.localstack.sources import admit_sources
    from services.intake.admin import load_authorisations
    from services.intake.domain import Authorisations

    Authorisations.from_dict(yaml.safe_load(file.read_text()) or {})  # a wrong file changes nothing at all
    for line in asyncio.run(admit_sources(settings_with_database(), file)):
        typer.echo(line)
    loaded = on_database(lambda conn: load_authorisations(conn, file))
    typer.echo(f"loaded {len(loaded.service_users)} source(s) and {len(loaded.users)} user(s)")


@item_type_app.command("set")
@friendly
def item_type_set(
    setting: Annotated[str, typer.Argument(help="Only 'confidential' can be changed.")],
    value: Annotated[str, typer.Argument(help="true or false")],
) -> None:
    """Change a setting of Accorderingsbericht."""
    from services.intake.admin import change_item_type
    from services.intake.domain import Refusal

    parsed = {"true": True, "false": False}.get(value.lower(), value)
    outcome = on_database(lambda conn: change_item_type(conn, setting, parsed))
    if isinstance(outcome, Refusal):
        typer.secho(f"refused: {outcome.message}", fg="red", err=True)
        raise typer.Exit(1)
    typer.echo(outcome)


@item_type_app.command("create")
def item_type_create() -> None:
    """Always refused: the type is built in."""
    from services.intake.domain import create_item_type

    typer.secho(f"refused: {create_item_type().message}", fg="red", err=True)
    raise typer.Exit(1)


@item_type_app.command("delete")
def item_type_delete() -> None:
    """Always refused: the type is built in."""
    from services.intake.domain import delete_item_type

    typer.secho(f"refused: {delete_item_type().message}", fg="red", err=True)
    raise typer.Exit(1)
