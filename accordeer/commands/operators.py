"""`accordeer operators`: the people at the CLI, each with a Kafka principal of their own."""

from typing import Annotated

import typer

from accordeer.commands.common import OPERATORS, app, friendly

operators_app = typer.Typer(
    help="The people at the CLI: each acts as their own principal operator.NAME, and the audit names them.",
    no_args_is_help=True,
)
app.add_typer(operators_app, name="operators", rich_help_panel=OPERATORS)


@operators_app.command("add", epilog="Exit codes: 0 added (or there already); 2 a wrong name or Kafka refusing.")
@friendly
def add(
    name: Annotated[str, typer.Argument(help="Lowercase letters, digits, dots and hyphens, e.g. m.devries.")],
) -> None:
    """Add NAME to the operators (deploy/config/operators.yaml, or ACCORDEER_CONFIG_DIR's) as principal
    operator.NAME: the operator's rights, with actions on its own topic, so `accordeer act --as` is audited as
    "operator.NAME on behalf of USER". On the secure local stack its principal, ACLs and topic are made at once;
    `eval $(accordeer stack credentials operator.NAME)` then lets a shell act as them."""
    import asyncio

    from accordeer.connect import settings_with_database
    from accordeer.localstack.sources import admit_operators
    from accordeer.operators import add_operator, check_name, principal_of

    check_name(name, "operators.yaml")  # before anything else: a wrong name is the first thing to hear
    settings = settings_with_database()
    file = settings.config_dir / "operators.yaml"
    added = add_operator(file, name)
    typer.echo(f"{principal_of(name)} {'added to' if added else 'already in'} {file}")
    for line in asyncio.run(admit_operators(settings, file)):
        typer.echo(line)
