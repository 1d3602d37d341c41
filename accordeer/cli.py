"""`accordeer`: one command for people — run the stack, submit, act, publish workflows, inspect."""

import sys

from accordeer.commands import configuration, declarations, operations, stack  # noqa: F401 (they register)
from accordeer.commands.common import app


def main() -> None:
    app()


if __name__ == "__main__":
    sys.exit(main())
