"""Every command and subcommand of `accordeer`, given bad arguments, answers with a sentence and a non-zero exit,
never a traceback. The walk follows the app itself, so a new command is walked without changing this test."""

import asyncio
import re

import pytest
import typer.main
from typer.testing import CliRunner

from accordeer.cli import app

pytestmark = pytest.mark.e2e


def bad_arguments(tmp) -> dict[str, list[str]]:
    """Arguments a person could plausibly get wrong, per command; any other command gets an unknown option."""
    missing = str(tmp / "does-not-exist.json")
    return {
        "submit": [missing],
        "act": ["does-not-exist", "Beoordelen", "Goedkeuren", "--as", "nobody"],
        "history": ["5c65c341-x"],
        "import": [missing],
        "lag": ["--window", "0"],
        "docs": ["--serve", "not-a-port"],
        "workflows check": ["--config", str(tmp)],
        "workflows publish": ["--config", str(tmp)],
        "authorisations load": [missing],
        "item-type set": ["colour", "blue"],
        "item-type create": [],
        "item-type delete": [],
        "directory load": [missing],
        "directory show": ["NO-SUCH-PARTY"],
        "mail list": ["--since", "last tuesday"],
        "dlq list": ["--since", "last tuesday"],
        "dlq show": ["99999"],
        "dlq replay": ["99999", "--yes"],
    }


def every_command() -> list[str]:
    def walk(command, path):
        if hasattr(command, "commands"):
            return [p for name, sub in sorted(command.commands.items()) for p in walk(sub, (*path, name))]
        return [" ".join(path)]

    return walk(typer.main.get_command(app), ())


def test_the_walk_finds_every_command():
    found = every_command()
    assert {"submit", "act", "history", "status", "dlq list", "mail list", "item-type set"} <= set(found)
    assert len(found) >= 20


def _failure(command: str, args: list[str], code: int, said: str) -> str | None:
    if code == 0 or "Traceback" in said or not re.search(r"[A-Za-z]{2,} [a-z]{2,}", said):
        return f"accordeer {command} {' '.join(args)} → exit {code}:\n{said[-800:]}"
    return None


async def test_every_command_with_bad_arguments_says_a_sentence_and_fails(system, tmp_path):
    """As a person runs them: each command a process of its own, against a running system (three at a time)."""
    system.start("intake", "workflow")
    bad = bad_arguments(tmp_path)
    at_once = asyncio.Semaphore(3)

    async def run(command: str, args: list[str]) -> str | None:
        async with at_once:
            result = await system.cli(*command.split(), *args)
        return _failure(command, args, result.returncode, (result.stdout + result.stderr).strip())

    failures = await asyncio.gather(*(run(c, bad.get(c, ["--no-such-option"])) for c in every_command()))
    assert not any(failures), "\n\n".join(f for f in failures if f)


def test_every_command_refuses_an_unknown_option_with_a_sentence():
    """The option parser answers before anything is read or connected: run in this process, as typer does."""
    runner = CliRunner()
    failures = []
    for command in every_command():
        result = runner.invoke(app, [*command.split(), "--no-such-option"])
        said = result.output.strip() + (repr(result.exception) if result.exception and result.exit_code != 2 else "")
        failures.append(_failure(command, ["--no-such-option"], result.exit_code, said))
    assert not any(failures), "\n\n".join(f for f in failures if f)
