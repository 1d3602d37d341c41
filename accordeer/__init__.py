"""The `accordeer` command for people, and the local stack it runs (Kafka, PostgreSQL, services)."""

import os

from accordeer.paths import DEPLOY_DIR

if (DEPLOY_DIR / "migrations").is_dir():  # run from a checkout: its deploy/, also for every process started here
    os.environ.setdefault("ACCORDEER_DEPLOY_DIR", str(DEPLOY_DIR))
