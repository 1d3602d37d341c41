"""`accordeer`: one command for people — run the stack, submit, act, publish workflows, inspect."""

import sys

# Each command module registers its commands on import.
from accordeer.commands import configuration, declarations, directory, importing, mail, operations, resending, stack  # noqa: F401
from accordeer.commands.common import app


def main() -> None:
    app()


if __name__ == "__main__":
    sys.exit(main())
