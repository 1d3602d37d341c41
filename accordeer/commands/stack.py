"""Commands for the local stack: run, restart one of its processes, wipe, fetch Kafka, set up a database and
topics."""

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from accordeer.commands.common import DEVELOPERS, OPERATORS, app, friendly
from accordeer.connect import DATA_DIR, settings_with_database
from accordeer.paths import TOOLS_CACHE

if TYPE_CHECKING:
    from accordeer.localstack.supervisor import RunState

stack_app = typer.Typer(help="The local infrastructure.", no_args_is_help=True)
app.add_typer(stack_app, name="stack", rich_help_panel=DEVELOPERS)


@app.command(rich_help_panel=DEVELOPERS)
@friendly
def run(
    demo: Annotated[bool, typer.Option(help="Feed sample declarations and play the client.")] = True,
    cluster: Annotated[
        bool,
        typer.Option(
            "--cluster",
            help="Three Kafka brokers (KRaft) instead of one, topics with three copies and two in sync "
            "(as ACCORDEER_KAFKA_BROKERS=3).",
        ),
    ] = False,
    secure: Annotated[
        bool,
        typer.Option(
            "--secure",
            help="Kafka with SCRAM over TLS and least-privilege ACLs (deploy/kafka_acls.yaml), each service "
            "its own principal (as ACCORDEER_KAFKA_SECURITY=scram).",
        ),
    ] = False,
) -> None:
    """Run everything here (Kafka, PostgreSQL, the services, the mocked gateway) until Ctrl-C.

    A process that stops is started again after a wait that grows with each crash in a row (1 s, 2 s, 4 s, at most
    30 s); the terminal says so. `accordeer stack restart NAME` restarts one at once."""
    from accordeer.run import run_stack

    run_stack(demo=demo, brokers=3 if cluster else None, secure=secure)


@stack_app.command("restart")
def stack_restart(
    name: Annotated[
        str, typer.Argument(help="intake, workflow, dispatch, notifier, portal, digipoort_mock or mail_sink.")
    ],
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the new process.")] = 60.0,
) -> None:
    """Ask the running `accordeer run` (make run) to restart one of its processes now.

    Exit codes: 0 restarted, 1 no local stack is running or it did not restart in time, 2 no such process."""
    from accordeer.localstack.supervisor import SUPERVISED, RunState

    state = RunState(DATA_DIR / "run")
    before = state.read()
    added = [key for key in (before or {}).get("processes", {}) if key not in SUPERVISED]
    if name not in SUPERVISED and name not in added:
        typer.secho(
            f"error: no process called {name!r}; the local stack runs {', '.join([*SUPERVISED, *added])}",
            fg="red",
            err=True,
        )
        raise typer.Exit(2)
    if before is None:
        _no_stack()
    old_pid = before["processes"].get(name)
    state.ask_restart(name)
    if now := _supervisor_state_when(state, lambda now: now["processes"].get(name) not in (None, old_pid), timeout):
        typer.echo(f"{name} restarted (pid {old_pid} → {now['processes'][name]})")
        return
    typer.secho(
        f"error: {name} was not restarted within {timeout:g} s; see {DATA_DIR / 'logs' / name}.log", fg="red", err=True
    )
    raise typer.Exit(1)


@stack_app.command("add")
def stack_add(
    name: Annotated[str, typer.Argument(help="intake, workflow, dispatch, notifier, portal or status_api.")],
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the new process.")] = 60.0,
) -> None:
    """Start one more process of a service in the running `accordeer run` (make run): it joins its service's
    consumer group, takes a share of the partitions, and is restarted like the others until the stack stops.

    Exit codes: 0 started, 1 no local stack is running or it did not start in time, 2 no such service."""
    from accordeer.localstack.stack import SERVICES
    from accordeer.localstack.supervisor import RunState

    if name not in SERVICES:
        typer.secho(f"error: no service called {name!r}; one of {', '.join(SERVICES)}", fg="red", err=True)
        raise typer.Exit(2)
    state = RunState(DATA_DIR / "run")
    before = state.read()
    if before is None:
        _no_stack()
    state.ask_add(name)

    def added(now: dict) -> list[str]:
        return [key for key in now["processes"] if key.startswith(f"{name}-") and key not in before["processes"]]

    if now := _supervisor_state_when(state, lambda now: bool(added(now)), timeout):
        key = added(now)[0]
        typer.echo(
            f"{key} started (pid {now['processes'][key]}); health on http://127.0.0.1:{now['ports'][key]}/health/"
            f"ready, log {DATA_DIR / 'logs' / key}.log; it runs until the stack stops"
        )
        return
    typer.secho(
        f"error: no new {name} process within {timeout:g} s; see the terminal of `make run`", fg="red", err=True
    )
    raise typer.Exit(1)


def _supervisor_state_when(state: "RunState", condition: Callable[[dict], bool], timeout: float) -> dict | None:
    """The running supervisor's state once ``condition`` holds for it; None after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = state.read()
        if now is None:
            typer.secho("error: the local stack stopped meanwhile", fg="red", err=True)
            raise typer.Exit(1)
        if condition(now):
            return now
        time.sleep(0.2)
    return None


def _no_stack() -> NoReturn:
    typer.secho(f"error: no local stack is running here ({DATA_DIR}); start it with `make run`", fg="red", err=True)
    raise typer.Exit(1)


@app.command(rich_help_panel=DEVELOPERS)
def wipe(yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False) -> None:
    """Delete the local stack's data (.data/): topics, database, logs."""
    from accordeer.run import wipe as wipe_data

    if yes or typer.confirm("Delete all local data?"):
        wipe_data()


@stack_app.command("fetch")
@friendly
def stack_fetch() -> None:
    """Fetch the Kafka broker's jars from Maven Central into the machine's tools cache (~/.cache/accordeer, or
    ACCORDEER_TOOLS_CACHE) once; later runs, and other checkouts, are offline."""
    from accordeer.localstack.kafka import ensure_jars

    typer.echo(f"Kafka jars in {ensure_jars(TOOLS_CACHE)}")


@app.command(rich_help_panel=OPERATORS)
@friendly
def setup(
    provision: Annotated[
        bool,
        typer.Option(
            help="Create the topics and the PostgreSQL roles; --no-provision where a deployment makes both (the "
            "Helm chart's KafkaTopics and CloudNativePG's managed roles)."
        ),
    ] = True,
) -> None:
    """Apply migrations, create topics, load the shipped configuration where none is loaded yet."""
    from accordeer.setup import prepare

    for line in asyncio.run(prepare(settings_with_database(), provision=provision)) or ["nothing to do"]:
        typer.echo(line)


@stack_app.command("credentials")
def stack_credentials(
    principal: Annotated[
        str, typer.Argument(help="operator, a service (intake, ...) or a source (exact, ...).")
    ] = "operator",
) -> None:
    """Print the environment that lets a shell's commands into the secure local stack (`accordeer run --secure`)
    as PRINCIPAL: `eval $(accordeer stack credentials operator)`. Exit code 1: no secure stack has run here."""
    import shlex

    from accordeer.localstack.secure import ADMIN, SecurityMaterialError

    if principal == ADMIN:
        typer.secho(
            "error: the admin's password stays with the stack's own tooling (accordeer run, authorisations load,"
            " stack new-password); a shell works as the operator: eval $(accordeer stack credentials operator)",
            fg="red",
            err=True,
        )
        raise typer.Exit(2)
    security = _secure_stack()
    try:
        environment = security.client_env(principal)
    except SecurityMaterialError as error:
        typer.secho(f"error: {error}", fg="red", err=True)
        raise typer.Exit(1) from None
    for name, value in environment.items():
        typer.echo(f"export {name}={shlex.quote(value)}")


@stack_app.command("new-password")
def stack_new_password(
    principal: Annotated[str, typer.Argument(help="A service (intake, ...), operator or a source (exact, ...).")],
) -> None:
    """Give PRINCIPAL of the running secure local stack a new SCRAM password (kept in its credentials.json).
    Connections already open keep working; `accordeer stack restart NAME` makes a service use it. Exit code 1:
    no secure stack here, an unknown principal, or the broker did not take it."""
    from accordeer.localstack.kafka import KafkaStartError, ensure_jars
    from accordeer.localstack.secure import SecurityMaterialError, change_password
    from shared.settings import Settings

    security = _secure_stack()
    try:
        change_password(ensure_jars(TOOLS_CACHE), Settings().kafka_bootstrap_servers, security, principal)
    except (SecurityMaterialError, KafkaStartError) as error:
        typer.secho(f"error: {error}", fg="red", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{principal} has a new password in {security.credentials_file}; restart its process to use it")


def _secure_stack():
    """The secrets of the secure local stack that has run here; exit code 1 with a sentence if none has."""
    from accordeer.localstack.secure import find_security

    security = find_security(DATA_DIR)
    if security is None:
        typer.secho(
            f"error: no secure local stack has run here ({DATA_DIR}); start one with `accordeer run --secure`",
            fg="red",
            err=True,
        )
        raise typer.Exit(1)
    return security
