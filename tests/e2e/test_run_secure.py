"""`accordeer run --secure` whole, as a newcomer starts it: its own broker with SCRAM over TLS and ACLs, every
process as its own principal, and a declaration submitted from the command line (as the operator) reaches 30; the
operator then reads every group's lag and sees every service's positions fit.
The secure tests elsewhere build their stacks from parts; this is the command itself (it once failed to create
its topics with a plaintext admin client, and no test saw it)."""

import json
import shlex

import pytest

from shared.contracts.inbound import EXAMPLES_DIR
from tests.e2e.test_run_supervisor import RunningStack

pytestmark = pytest.mark.e2e


def test_the_secure_stack_starts_and_takes_a_declaration_to_30(tmp_path):
    stack = RunningStack(tmp_path / "run", "--secure").start()
    try:
        declaration = json.loads((EXAMPLES_DIR / "inbound_btw_aangifte.json").read_text())
        declaration["message_id"] = "secure-run-1"
        (tmp_path / "declaration.json").write_text(json.dumps(declaration))
        credentials = stack.cli("stack", "credentials", "operator")
        assert credentials.returncode == 0, credentials.stderr
        for line in credentials.stdout.splitlines():  # what `eval $(accordeer stack credentials operator)` sets
            name, value = line.removeprefix("export ").split("=", 1)
            stack.env[name] = shlex.split(value)[0]
        stack.env["KAFKA_BOOTSTRAP_SERVERS"] = f"127.0.0.1:{stack.env['ACCORDEER_RUN_KAFKA_PORT']}"
        submitted = stack.cli("submit", str(tmp_path / "declaration.json"))
        assert submitted.returncode == 0, submitted.stdout + submitted.stderr + stack.output()
        assert "secure-run-1 item " in submitted.stdout and ": 30 In workflow" in submitted.stdout, submitted.stdout
        # The operator sees every group's lag and whether every service's positions fit: it may describe every
        # topic a service consumes (a per-writer topic it could not see once read as deleted).
        lag = stack.cli("lag")
        assert lag.returncode == 0 and "accordeer-workflow" in lag.stdout, lag.stdout + lag.stderr
        positions = stack.cli("positions", "show")
        assert positions.returncode == 0, positions.stdout + positions.stderr
        assert positions.stdout.count("fit this Kafka") == 6 and "DO NOT FIT" not in positions.stdout, positions.stdout
        assert "Traceback" not in stack.output()
    finally:
        stack.stop()
