"""Where the checkout is, for the tools that work from one (the CLI, the local stack, the tests).

The services never look here: they find their configuration, migrations and topics table through the setting
``ACCORDEER_DEPLOY_DIR``, whose default is the copy installed with the package. Importing ``accordeer`` from a
checkout points that setting at the checkout's ``deploy/``, so `make run`, the CLI, the services they start and
the tests read the files being edited, never a copy made at install time.
"""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEPLOY_DIR = REPO_ROOT / "deploy"
TOOLS_CACHE = Path(
    os.environ.get("ACCORDEER_TOOLS_CACHE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "accordeer"
)
"""What is fetched or built once per machine at pinned versions: Kafka's jars, and (the Makefile's) Lighthouse, the
AsyncAPI tools, helm, kubeconform and the image's Debian base. Shared by every checkout, as pip's cache is, so a
fresh clone finds them; what a checkout makes of its own tree (images, reports) stays in its .cache/."""
