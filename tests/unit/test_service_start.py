"""A service started without its settings says what is missing in one line and exits 1, before it reaches for
Kafka or PostgreSQL."""

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize("service", ["dispatch"])
def test_a_service_without_a_database_url_says_how_to_start_one_beside_make_run(service):
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "ACCORDEER_DATABASE_URL")}
    result = subprocess.run(
        [sys.executable, "-m", f"services.{service}"],
        env={**env, "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"{service} stopped: DATABASE_URL is not set; a service connects to PostgreSQL as its own role "
        f"(SECURITY.md). Beside `make run`, `accordeer stack add {service}` starts one more {service} with the "
        "stack's settings."
    )
    assert "Traceback" not in result.stderr
