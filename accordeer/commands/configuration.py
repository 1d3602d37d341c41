"""Commands for configuration: workflows and routes, authorisations, the built-in item type."""

import uuid
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


Version = Annotated[int | None, typer.Option("--version", min=1, help="A version (`workflows versions` lists them).")]


@workflows_app.command("publish")
@friendly
def workflows_publish(
    config: ConfigDir = None,
    by: Annotated[str, typer.Option(help="Who publishes (audit, beside the principal that sends it).")] = "cli",
    version: Version = None,
    wait: Annotated[float, typer.Option(min=0, help="Seconds to wait for workflow's verdict.")] = 30.0,
) -> None:
    """Send all workflows and routes to workflow, which checks them as `workflows check` does and publishes them
    when there is no problem (the portal's set-up pages send the same); items waiting for a route are routed at
    once. With --version, an earlier version again (as a new version)."""
    from accordeer.setup_commands import command_for, send_and_wait

    settings = settings_with_database()
    if version is not None and config is not None:
        raise ValueError("give --config or --version, not both")

    async def publishing(conn):
        folder = _folder(config or settings.config_dir) if version is None else await _version_folder(conn, version)
        return await send_and_wait(conn, settings, command_for(folder, by), wait)

    for line in _published(on_database(publishing, settings.database_url), wait).lines:
        typer.echo(line)


def _published(verdict, wait: float):
    """The verdict of a publication that went through; otherwise what became of it, and the exit: 2 when
    workflow has not decided yet, 1 when it refused."""
    if verdict is None:
        typer.secho(
            f"sent; workflow has not decided within {wait:g} s (is it running? `accordeer status`). It decides "
            "when it runs: `accordeer workflows versions` then shows the version.",
            fg="yellow",
            err=True,
        )
        raise typer.Exit(2)
    if not verdict.published:
        for line in verdict.lines:
            typer.echo(line, err=True)
        raise typer.Exit(1)
    return verdict


@workflows_app.command("versions")
@friendly
def workflows_versions(limit: Annotated[int, typer.Option(min=1, help="How many, newest first.")] = 20) -> None:
    """Every published version, newest first: when, by whom, its workflows, and what changed since the one before
    (`workflows diff N` shows how)."""
    from accordeer.setup_commands import changes
    from services.workflow.domain.export import texts
    from services.workflow.repository import WorkflowRepository

    async def listing(conn) -> list[str]:
        repository = WorkflowRepository(conn)
        rows = await repository.publications(limit=limit + 1)
        folders = {r["id"]: texts(await _version_folder(conn, r["id"])) for r in rows}
        lines = []
        for row in rows[:limit]:
            earlier = folders.get(row["id"] - 1)
            changed = "first version" if earlier is None else changes(earlier, folders[row["id"]])
            files = sorted(name.removeprefix("workflows/") for name in folders[row["id"]] if "/" in name)
            lines.append(
                f"{row['id']:>4}  {row['published_at']:%Y-%m-%d %H:%M:%S}  by {row['published_by']}  "
                f"{', '.join(files)}  ({changed})"
            )
        return lines

    lines = on_database(listing, settings_with_database().database_url)
    typer.echo("\n".join(lines) if lines else "nothing has been published yet: accordeer workflows publish")


@workflows_app.command("diff")
@friendly
def workflows_diff(
    version: Annotated[int | None, typer.Argument(min=1, help="The version (default: the newest).")] = None,
    against: Annotated[
        int | None, typer.Option(min=1, help="Compare with this version (default: the one before).")
    ] = None,
) -> None:
    """How a published version differs from the one before it (or --against another), file by file, as
    `workflows export` writes them."""
    import difflib

    from services.workflow.domain.export import texts
    from services.workflow.repository import WorkflowRepository

    async def comparing(conn) -> tuple[int, int | None, dict[str, str], dict[str, str]]:
        newest = version or await WorkflowRepository(conn).latest_publication_id()
        if newest is None:
            raise ValueError("nothing has been published yet: accordeer workflows publish")
        after = texts(await _version_folder(conn, newest))
        other = against if against is not None else (newest - 1 if newest > 1 else None)
        before = texts(await _version_folder(conn, other)) if other is not None else {}
        return newest, other, before, after

    newest, other, before, after = on_database(comparing, settings_with_database().database_url)
    lines = [
        line
        for name in sorted(set(before) | set(after))
        for line in difflib.unified_diff(
            before.get(name, "").splitlines(keepends=True),
            after.get(name, "").splitlines(keepends=True),
            f"version {other}/{name}" if other else "/dev/null",
            f"version {newest}/{name}",
        )
    ]
    typer.echo("".join(lines).rstrip("\n") if lines else f"version {newest} equals version {other}")


@workflows_app.command("export")
@friendly
def workflows_export(
    folder: Annotated[Path, typer.Argument(help="A new or empty folder to write the configuration into.")],
    version: Version = None,
) -> None:
    """Write a published version (default: the newest) as a configuration folder: workflows/*.yaml, routes.yaml
    and users.yaml's groups, for review in git or to publish again with --config."""
    from services.workflow.domain.export import texts
    from services.workflow.repository import WorkflowRepository

    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ValueError(f"{folder} is not an empty folder; export writes into a new or empty one")

    async def exporting(conn) -> tuple[int, dict[str, str]]:
        chosen = version or await WorkflowRepository(conn).latest_publication_id()
        if chosen is None:
            raise ValueError("nothing has been published yet: accordeer workflows publish")
        return chosen, texts(await _version_folder(conn, chosen))

    chosen, files = on_database(exporting, settings_with_database().database_url)
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    typer.echo(f"wrote version {chosen} to {folder} ({len(files)} files)")


async def _version_folder(conn, version: int):
    """Published version ``version`` as a configuration folder; a version that does not exist is named."""
    from services.workflow.repository import WorkflowRepository

    repository = WorkflowRepository(conn)
    if not await repository.is_publication(version):
        latest = await repository.latest_publication_id()
        raise ValueError(
            f"there is no version {version}; the versions are 1 to {latest}"
            if latest
            else "nothing has been published yet: accordeer workflows publish"
        )
    return (await repository.publication(version)).folder()


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
    by: Annotated[str, typer.Option(help="Who changes it (audit, beside the principal that sends it).")] = "cli",
    wait: Annotated[float, typer.Option(min=0, help="Seconds to wait for workflow's verdict.")] = 30.0,
) -> None:
    """Change a setting of Accorderingsbericht: published with the workflows as a new version (as the portal's
    Inrichting does); intake applies it to the dossier items it makes from then on."""
    from accordeer.setup_commands import send_and_wait
    from services.intake.domain import DossierItemType, Refusal, change_type_setting
    from services.workflow.domain.export import texts
    from services.workflow.repository import WorkflowRepository
    from shared import item_type
    from shared.contracts.setup import SetupCommand

    parsed = {"true": True, "false": False}.get(value.lower(), value)
    changed = change_type_setting(DossierItemType(), setting, parsed)
    if isinstance(changed, Refusal):
        typer.secho(f"refused: {changed.message}", fg="red", err=True)
        raise typer.Exit(1)
    settings = settings_with_database()

    async def publishing(conn):
        latest = await WorkflowRepository(conn).latest_publication_id()
        if latest is None:
            raise ValueError("nothing has been published yet: accordeer workflows publish")
        files = texts(await _version_folder(conn, latest))
        files[item_type.FILE] = item_type.dump(item_type.ItemTypeSettings(confidential=changed.confidential))
        command = SetupCommand(command_id=str(uuid.uuid4()), actor=by, based_on_version=latest, files=files)
        return await send_and_wait(conn, settings, command, wait)

    verdict = _published(on_database(publishing, settings.database_url), wait)
    typer.echo(
        f"Accorderingsbericht: {setting} = {value.lower()}, published as version {verdict.version}; intake applies "
        "it to the dossier items it makes from now on"
    )


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
