"""Where the checkout is, for the tools that work from one (the CLI, the local stack, the tests).

The services never look here: they find their configuration, migrations and topics table through the setting
``ACCORDEER_DEPLOY_DIR``, whose default is the copy installed with the package. Importing ``accordeer`` from a
checkout points that setting at the checkout's ``deploy/``, so `make run`, the CLI, the services they start and
the tests read the files being edited, never a copy made at install time.
"""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEPLOY_DIR = REPO_ROOT / "deploy"
