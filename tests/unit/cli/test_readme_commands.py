"""The README's `accordeer …` commands work as written: each names a real command, with options it takes, and the
README says how `accordeer` gets on the PATH (a fresh clone has it only in .venv)."""

import re

import pytest
import typer.main

from accordeer.cli import app
from accordeer.paths import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text()


def written_commands() -> list[str]:
    inline = re.findall(r"`(accordeer [^`]+)`", README)
    fenced = [
        line.strip()
        for block in re.findall(r"```sh\n(.*?)```", README, re.S)
        for line in block.splitlines()
        if line.strip().startswith("accordeer ")
    ]
    return sorted({c for c in inline + fenced if c != "accordeer …"})  # "every `accordeer …` command" is prose


def resolve(words: list[str]):
    command, rest = typer.main.get_command(app), words
    while rest and hasattr(command, "commands") and rest[0] in command.commands:
        command, rest = command.commands[rest[0]], rest[1:]
    return command, rest


@pytest.mark.parametrize("written", written_commands())
def test_each_readme_command_exists_with_the_options_it_shows(written):
    words = written.split()[1:]
    command, rest = resolve(words)
    assert not hasattr(command, "commands") or words == ["--help"], f"`{written}` names no command"
    offered = {name for p in command.params for name in (*p.opts, *p.secondary_opts)}  # --x/--no-x both
    shown = {o.split("=")[0] for w in rest for o in re.findall(r"--[a-z-]+", w)}
    assert shown <= offered | {"--help"}, f"`{written}`: {shown - offered} not an option of it"


def test_the_readme_says_how_accordeer_gets_on_the_path():
    assert written_commands(), "the README shows no accordeer commands"
    first_use = README.index("`accordeer ")
    assert -1 < README.find(". .venv/bin/activate") < first_use
    assert "\nvenv: " in (REPO_ROOT / "Makefile").read_text()
