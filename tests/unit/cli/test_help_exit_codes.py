"""Each command that sends something says in its --help what its exit codes mean."""

import pytest
from typer.testing import CliRunner

from accordeer.cli import app


@pytest.mark.parametrize("command", [["submit"], ["act"], ["dlq", "replay"], ["directory", "load"]])
def test_a_sending_command_documents_its_exit_codes(command):
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "Exit codes: 0" in result.output, result.output
    assert "2 bad arguments" in result.output or "2 errors in the file" in result.output
