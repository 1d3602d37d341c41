"""The CLI finds its commands: every module in accordeer/commands/ adds at least one, and every command and
command group sits in the --help panel of the people it is for."""

import pkgutil

from typer.testing import CliRunner

from accordeer import commands
from accordeer.cli import app
from accordeer.commands.common import AUDIENCES


def test_every_command_module_registers_commands_without_being_listed():
    modules = {m.name for m in pkgutil.iter_modules(commands.__path__)} - {"common"}
    registered = {c.callback.__module__.rsplit(".", 1)[-1] for c in app.registered_commands}
    registered |= {
        g.typer_instance.registered_commands[0].callback.__module__.rsplit(".", 1)[-1] for g in app.registered_groups
    }
    assert registered == modules


def test_every_command_names_its_audience_and_help_shows_them_in_order():
    panels = [c.rich_help_panel for c in app.registered_commands] + [g.rich_help_panel for g in app.registered_groups]
    assert set(panels) == set(AUDIENCES)
    shown = CliRunner().invoke(app, ["--help"], terminal_width=100).output
    assert [shown.index(panel) for panel in AUDIENCES] == sorted(shown.index(panel) for panel in AUDIENCES)


def test_the_admins_password_is_never_handed_to_a_shell():
    result = CliRunner().invoke(app, ["stack", "credentials", "admin"])
    assert result.exit_code == 2 and "stays with the stack's own tooling" in result.output
