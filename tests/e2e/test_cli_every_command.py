"""Every command and subcommand of `accordeer`, given bad arguments, answers with a sentence and a non-zero exit,
never a traceback. The walk follows the app itself, so a new command is walked without changing this test."""

import re

import pytest
import typer.main

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


async def test_every_command_with_bad_arguments_says_a_sentence_and_fails(system, tmp_path):
    system.start("intake", "workflow")
    bad = bad_arguments(tmp_path)
    failures = []
    for command in every_command():
        for args in (bad.get(command, ["--no-such-option"]), ["--no-such-option"]):
            result = await system.cli(*command.split(), *args)
            said = (result.stdout + result.stderr).strip()
            if result.returncode == 0 or "Traceback" in said or not re.search(r"[A-Za-z]{2,} [a-z]{2,}", said):
                failures.append(f"accordeer {command} {' '.join(args)} → exit {result.returncode}:\n{said[-800:]}")
    assert not failures, "\n\n".join(failures)
