"""What every command module shares: the `accordeer` app and the rule that people get sentences, not tracebacks."""

import asyncio
import functools
import socket
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from aiokafka.errors import (
    AuthenticationFailedError,
    GroupAuthorizationFailedError,
    KafkaError,
    SaslAuthenticationFailed,
    TopicAuthorizationFailedError,
)
from asyncpg import InsufficientPrivilegeError, InvalidAuthorizationSpecificationError, PostgresError

from accordeer.connect import NotRunning, settings_with_database
from accordeer.localstack.kafka import KafkaStartError
from accordeer.localstack.postgres import PostgresStartError
from shared.db.roles import OWNER, RolesMissing

app = typer.Typer(
    help="`accordeer`: one command for people — run the stack, submit, act, publish workflows, inspect.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


PEOPLE = "The office's work"
OPERATORS = "Operators: run and watch the system"
INTEGRATORS = "Integrators: configuration and the contract"
DEVELOPERS = "Developers: the local stack"
AUDIENCES = (PEOPLE, OPERATORS, INTEGRATORS, DEVELOPERS)
"""The panels of `accordeer --help`: every command names the people it is for."""


def friendly(command):
    """People get a sentence, not a traceback, for what they can fix themselves."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (NotRunning, KafkaStartError, PostgresStartError, RolesMissing, LookupError, ValueError, OSError) as exc:
            typer.secho(f"error: {exc}", fg="red", err=True)
            raise typer.Exit(2) from None
        except KafkaError as exc:
            typer.secho(f"error: {_kafka_sentence(exc)}", fg="red", err=True)
            raise typer.Exit(2) from None
        except InvalidAuthorizationSpecificationError as exc:  # a wrong password, or a role the server lacks
            typer.secho(f"error: PostgreSQL refused the login: {exc}", fg="red", err=True)
            raise typer.Exit(2) from None
        except InsufficientPrivilegeError as exc:
            typer.secho(f"error: PostgreSQL does not let this role do it ({exc})", fg="red", err=True)
            raise typer.Exit(2) from None
        except PostgresError as exc:
            typer.secho(
                f"error: PostgreSQL refused it ({exc}); is the database set up (`accordeer setup`)?", fg="red", err=True
            )
            raise typer.Exit(2) from None

    return wrapper


def _kafka_sentence(error: KafkaError) -> str:
    """A refusal named as a refusal: a wrong password or a missing right is not an unreachable broker."""
    from shared.settings import Settings

    who = Settings().kafka_username or "this shell"
    if isinstance(error, (SaslAuthenticationFailed, AuthenticationFailedError)):
        return f"Kafka refused the login of {who}: a wrong password or an unknown user"
    if isinstance(error, (TopicAuthorizationFailedError, GroupAuthorizationFailedError)):
        return f"Kafka does not let {who} do this: its ACLs give it no right on {error}"
    settings = Settings()
    if settings.kafka_security == "scram" and _answers(settings.kafka_bootstrap_servers):
        # aiokafka reports a refused SASL login as a failed bootstrap; the broker answering tells them apart.
        return (
            f"Kafka at {settings.kafka_bootstrap_servers} answers but did not let {who} in: a wrong password or an"
            " unknown user (`eval $(accordeer stack credentials operator)` gives this shell the local stack's operator)"
        )
    return f"Kafka is not reachable ({error}); {_kafka_hint()}"


def _answers(bootstrap_servers: str) -> bool:
    host, _, port = bootstrap_servers.split(",")[0].strip().rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=2):
            return True
    except (OSError, ValueError):
        return False


def _kafka_hint() -> str:
    """What to do about Kafka not answering: start the stack, or, when a secure one runs, log this shell in."""
    from accordeer.connect import DATA_DIR
    from accordeer.localstack.postgres import running_server_url
    from shared.settings import Settings

    secure_running = any(running_server_url(DATA_DIR / f) for f in ("postgres-secure", "postgres-cluster-secure"))
    if secure_running and Settings().kafka_security == "plaintext":
        return (
            "the local stack runs in secure mode and takes no client without credentials: "
            "`eval $(accordeer stack credentials operator)` gives this shell the operator's"
        )
    return "is the stack running (`make run`)?"


T = TypeVar("T")


def on_database(work: Callable[..., Awaitable[T]], database_url: str | None = None, *, role: str = OWNER) -> T:
    """Run ``work(conn)`` on one connection to the configured database, or else the local stack's as ``role``
    (shared/db/roles.py), then close it."""
    from shared.db.pool import connect

    async def run() -> T:
        conn = await connect(database_url or settings_with_database(role=role).database_url)
        try:
            return await work(conn)
        finally:
            await conn.close()

    return asyncio.run(run())
