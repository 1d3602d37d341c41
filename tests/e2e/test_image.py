"""The image runs the pipeline: the OCI archive `make image` built (make test builds it before pytest) is unpacked
as a container runtime would, and intake, workflow, dispatch, the notifier and the portal run from its root
filesystem (chroot, as its non-root user, on the host's network) against the test Kafka and PostgreSQL; a
declaration goes from declarations.inbound to 80 through those processes, not the checkout's venv. The mocked
gateway and the mail sink, test doubles, run from the checkout."""

import asyncio
import io
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from accordeer.localstack.kafka import free_port
from accordeer.paths import REPO_ROOT
from shared.contracts.status import StatusCode
from tests.support.declarations import example
from tests.support.readiness import until_ready

pytestmark = pytest.mark.e2e

IMAGE_DIR = REPO_ROOT / ".cache" / "image"
SERVICES = ("intake", "workflow", "dispatch", "notifier", "portal")
CLIENT_TASK = "Beoordelen aangifte klant"
USER = "10001:10001"
"""The image's user (deploy/image/Containerfile)."""


def _archive() -> Path:
    found = sorted(IMAGE_DIR.glob("accordeer-*.oci.tar"))
    assert found, f"no image in {IMAGE_DIR}: `make image` builds it (make test does, before pytest)"
    return found[-1]


def _unpack(archive: Path, root: Path) -> dict:
    """The image's layers in order into ``root`` (whiteouts honoured); returns its configuration."""
    with tarfile.open(archive) as oci:

        def blob(digest: str) -> bytes:
            member = oci.extractfile("blobs/sha256/" + digest.removeprefix("sha256:"))
            assert member is not None
            return member.read()

        [entry] = json.loads(blob_of_index(oci))["manifests"]
        manifest = json.loads(blob(entry["digest"]))
        for layer in manifest["layers"]:
            with tarfile.open(fileobj=io.BytesIO(blob(layer["digest"]))) as files:
                for member in files.getmembers():
                    name = Path(member.name)
                    if name.name.startswith(".wh."):
                        shutil.rmtree(root / name.parent / name.name.removeprefix(".wh."), ignore_errors=True)
                        continue
                    files.extract(member, root, filter="fully_trusted")
        return json.loads(blob(manifest["config"]["digest"]))


def blob_of_index(oci: tarfile.TarFile) -> bytes:
    index = oci.extractfile("index.json")
    assert index is not None
    return index.read()


@pytest.fixture(scope="module")
def image_root(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("image") / "rootfs"
    root.mkdir()
    return root, _unpack(_archive(), root)


def _launcher(root: Path, folder: Path, database_url: str) -> Path:
    """A 'python' that is the image's: in a mount namespace of its own, the host's /dev and /proc and the test
    PostgreSQL's socket are mounted into the root filesystem (the socket alone: its folder is the server's own,
    closed to others), then the image's interpreter runs chrooted, as the image's user, without the checkout's
    ACCORDEER_DEPLOY_DIR (the image reads its own packaged copy)."""
    socket_dir = parse_qs(urlsplit(database_url).query).get("host", [""])[0]
    socket = "/run/postgresql/.s.PGSQL.5432"
    binds = (
        f'mkdir -p "$R/run/postgresql" && touch "$R{socket}" && '
        f'mount --bind "{socket_dir}/.s.PGSQL.5432" "$R{socket}" && '
        if socket_dir
        else ""
    )
    script = folder / "image-python"
    script.write_text(
        "#!/bin/sh\n"
        f"R={root}\n"
        "unset ACCORDEER_DEPLOY_DIR\n"
        f'DATABASE_URL=$(printf %s "$DATABASE_URL" | sed "s|host={socket_dir}|host=/run/postgresql|")\n'
        "export R DATABASE_URL\n"
        'exec unshare --mount --fork -- sh -c \'mount --rbind /dev "$R/dev" && mount -t proc proc "$R/proc" && '
        + binds
        + f'exec chroot --userspec={USER} "$R" /opt/accordeer/bin/python "$@"\' image-python "$@"\n'
    )
    script.chmod(0o755)
    return script


def test_the_image_is_a_non_root_image_with_the_project_in_a_venv_and_no_compilers_or_caches(image_root):
    root, config = image_root
    assert config["config"]["User"] == USER
    assert (root / "opt/accordeer/bin/python").exists()
    assert not list((root / "opt/accordeer/lib").glob("python3*/site-packages/pip")), "pip is left in the venv"
    for tool in ("gcc", "cc", "g++", "make"):
        assert not (root / "usr/bin" / tool).exists(), f"{tool} is in the image"
    assert not (root / "root/.cache").exists() and not list((root / "tmp").iterdir())
    assert not list((root / "var/lib/apt/lists").glob("*_Packages"))


async def test_a_declaration_reaches_80_through_the_image_s_processes(image_root, system, tmp_path):
    root, _ = image_root
    system.start("digipoort_mock", "mail_sink")  # the checkout's: test doubles, not the product
    system.services.python = str(_launcher(root, tmp_path, system.settings.database_url))
    system.services.cwd = None
    system.services.portal_port = free_port()
    ports = {service: free_port() for service in SERVICES}
    for service in SERVICES:
        system.services.start_service(service, ACCORDEER_HTTP_PORT=str(ports[service]))
    for service in SERVICES:
        assert await until_ready(ports[service]), f"{service} from the image is not ready\n{system.logs()}"
    for service in SERVICES:
        pid = system.services.processes[service].pid
        assert _image_python_under(pid, root), f"{service} does not run the image's interpreter"

    await system.submit(example("btw_aangifte", message_id="image-1"))
    await system.wait_for(
        lambda: any(e.message_id == "image-1" and e.status_code == StatusCode.IN_WORKFLOW for e in system.events),
        what="30 from the image's intake and workflow",
    )
    item_id = next(
        e.dossier_item_id
        for e in system.events
        if e.message_id == "image-1" and e.status_code == StatusCode.IN_WORKFLOW
    )
    await system.act(item_id, CLIENT_TASK, "Goedkeuren bericht", "sanne.vandijk")
    await system.wait_for(
        lambda: StatusCode.ACCEPTED_BY_AUTHORITY in system.statuses_of(item_id), what="80 from the image's dispatch"
    )
    for service in SERVICES:
        process = system.services.processes[service]
        assert process.running(), process.tail()


async def test_the_image_s_setup_command_runs_as_the_chart_s_migration_job_runs_it(image_root, system, tmp_path):
    """`accordeer setup --no-provision`, the chart's migration Job, from the image: the schema is there (the test
    database is migrated and configured), so it has nothing to do, and says so; no local-stack tooling is needed."""
    root, _ = image_root
    launcher = _launcher(root, tmp_path, system.settings.database_url)
    result = await asyncio.to_thread(
        subprocess.run,
        [launcher, "/opt/accordeer/bin/accordeer", "setup", "--no-provision"],
        env={**os.environ, **system.services.env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "nothing to do", result.stdout + result.stderr


def _image_python_under(pid: int, root: Path) -> bool:
    """Whether a process below ``pid`` (the launcher's) is the image's interpreter, chrooted into ``root``."""
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            if os.readlink(f"/proc/{current}/root") == str(root) and os.readlink(f"/proc/{current}/exe").startswith(
                str(root)
            ):
                return True
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pending += [int(child) for child in children]
    return False
