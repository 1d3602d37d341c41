"""`accordeer`: one command for people — run the stack, submit, act, publish workflows, inspect.

Every module in ``accordeer/commands/`` registers its commands on import; they are found here, not listed.
"""

import importlib
import pkgutil

from accordeer import commands
from accordeer.commands.common import AUDIENCES, app

for module in pkgutil.iter_modules(commands.__path__):
    importlib.import_module(f"{commands.__name__}.{module.name}")
# --help shows the panels in the order of their first command: the office's work first, the local stack last.
app.registered_commands.sort(key=lambda command: AUDIENCES.index(command.rich_help_panel))
app.registered_groups.sort(key=lambda group: AUDIENCES.index(group.rich_help_panel))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
