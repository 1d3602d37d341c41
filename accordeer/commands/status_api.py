"""`accordeer status-api`: the API keys of the sources, and the API's OpenAPI document."""

from typing import Annotated

import typer

from accordeer.commands.common import INTEGRATORS, app, friendly, on_database
from accordeer.paths import REPO_ROOT
from shared.settings import Settings

OPENAPI_DOCUMENT = REPO_ROOT / "docs" / "openapi.json"

status_api_app = typer.Typer(
    help="The status API, where sources read their statuses over HTTP (Digipoort's StatusinformatieService).",
    no_args_is_help=True,
)
app.add_typer(status_api_app, name="status-api", rich_help_panel=INTEGRATORS)


@status_api_app.command("key", rich_help_panel=INTEGRATORS)
@friendly
def key(source: Annotated[str, typer.Argument(help="A source of the authorisations file, e.g. nmbrs.")]) -> None:
    """Issue a source's API key, shown only now.

    It replaces any key the source had (that one stops working at once); only its SHA-256 is stored.
    """
    from accordeer.connect import settings_with_database
    from services.status_api import keys
    from services.status_api.repository import store_key
    from services.status_api.rights import read_authorisations

    settings = Settings()
    file = settings.config_dir / "authorisations.yaml"
    if source not in read_authorisations(file).service_users:
        raise ValueError(f"{source!r} is not a source in {file}; register it there first (no key was issued)")
    issued = keys.new_key(source)
    database_url = settings_with_database(settings).database_url
    on_database(lambda conn: store_key(conn, source, keys.digest(issued)), database_url)
    typer.echo(
        f"The status API key of {source} is below. It is shown only now: only its SHA-256 is kept, so store it"
        " where the source's software reads it; a key issued before no longer works.",
        err=True,
    )
    typer.echo(issued)


@status_api_app.command("openapi", rich_help_panel=INTEGRATORS)
@friendly
def openapi(
    write: Annotated[bool, typer.Option("--write", help="Regenerate docs/openapi.json from the code.")] = False,
) -> None:
    """The status API's OpenAPI document (generated from the code)."""
    from services.status_api.api import openapi_text

    if write:
        OPENAPI_DOCUMENT.write_text(openapi_text())
        typer.echo(f"wrote {OPENAPI_DOCUMENT}")
    else:
        typer.echo(openapi_text(), nl=False)
