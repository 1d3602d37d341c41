"""The services run from the installed package, outside the checkout: the wheel installed into a clean venv in a
temporary folder finds its configuration, migrations and topics table in the copy installed with it (no file of
the checkout), every service starts from it against the test Kafka and PostgreSQL and becomes ready, and a
declaration goes through its intake and workflow to 30. No service imports the `accordeer` tools."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from accordeer.localstack.kafka import free_port
from accordeer.paths import DEPLOY_DIR, REPO_ROOT
from shared.contracts.status import StatusCode
from tests.support.declarations import example
from tests.support.readiness import until_ready

pytestmark = pytest.mark.e2e

SERVICES = ("intake", "workflow", "dispatch", "notifier", "portal", "status_api")
SHIPPED = ("topics.yaml", "kafka_acls.yaml", "migrations", "config")
"""What of deploy/ the services read, and the package therefore carries."""
PACKAGED = ("pyproject.toml", "README.md", "accordeer", "shared", "services", "deploy")
"""What of the checkout the wheel is built from."""


def _run(*command: str | Path, cwd: Path) -> str:
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=240, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A venv with only the wheel of the checkout in it; its dependencies come from this venv's site-packages
    through a .pth line (which adds the folder without running its .pth files: the checkout's editable finder
    stays out)."""
    folder = tmp_path_factory.mktemp("installed")
    source = folder / "source"  # a copy: setuptools builds in the tree it is given (build/, *.egg-info)
    source.mkdir()
    for part in PACKAGED:
        if (REPO_ROOT / part).is_dir():
            shutil.copytree(REPO_ROOT / part, source / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(REPO_ROOT / part, source / part)
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", folder / "wheel", source, cwd=folder)
    [wheel] = (folder / "wheel").glob("accordeer-*.whl")
    venv = folder / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=folder)
    python = venv / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--quiet", wheel, cwd=folder)
    [site] = (venv / "lib").glob("python3*/site-packages")
    dependencies = next(p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir())
    (site / "dependencies.pth").write_text(dependencies + "\n")
    return venv


def _python_outside(venv: Path, code: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCORDEER_") and k != "PYTHONPATH"}
    result = subprocess.run(
        [venv / "bin" / "python", "-c", code], cwd=venv, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_package_carries_what_the_services_read_and_finds_it_by_default(installed):
    where = json.loads(
        _python_outside(
            installed,
            "import json, shared, services, shared.settings as s; "
            "print(json.dumps([shared.__file__, services.__file__, str(s.Settings().deploy_dir), "
            "str(s.Settings().config_dir)]))",
        )
    )
    assert all(path.startswith(str(installed)) for path in where), where
    shipped = installed / "share" / "accordeer"
    assert where[2:] == [str(shipped), str(shipped / "config")]
    for part in SHIPPED:
        expected, found = _files(DEPLOY_DIR, part), _files(shipped, part)
        assert found == expected, f"{part}: pyproject's data-files miss {sorted(set(expected) - set(found))}"


def _files(folder: Path, part: str) -> list[Path]:
    top = folder / part
    return sorted(p.relative_to(folder) for p in ([top] if top.is_file() else top.rglob("*")) if p.is_file())


def test_no_service_imports_the_accordeer_tools(installed):
    for service in SERVICES:
        loaded = _python_outside(
            installed, f"import sys, services.{service}.app; print(sorted(m for m in sys.modules if 'accordeer' in m))"
        )
        assert loaded.strip() == "[]", f"{service} imports {loaded}"


async def test_every_service_starts_from_the_installed_package_and_a_declaration_reaches_30(installed, system):
    system.services.python = str(installed / "bin" / "python")
    system.services.cwd = installed  # not the checkout: `python -m` would find its packages first
    system.services.env["ACCORDEER_DEPLOY_DIR"] = str(installed / "share" / "accordeer")
    ports = {service: free_port() for service in SERVICES}
    system.services.portal_port = free_port()
    for service in SERVICES:
        system.services.start_service(service, ACCORDEER_HTTP_PORT=str(ports[service]))

    for service in SERVICES:
        assert await until_ready(ports[service]), f"{service} from the installed package is not ready\n{system.logs()}"

    await system.submit(example("btw_aangifte", message_id="installed-1"))
    await system.wait_for(
        lambda: any(e.message_id == "installed-1" and e.status_code == StatusCode.IN_WORKFLOW for e in system.events),
        what="30 from the installed services",
    )
    for service in SERVICES:
        process = system.services.processes[service]
        assert process.running(), process.tail()
