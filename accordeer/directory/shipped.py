"""The shipped directory (``deploy/config/directory.yaml``): loaded when a fresh system is set up."""

from pathlib import Path

from accordeer.directory.changes import compare
from accordeer.directory.files import read_directory_file
from accordeer.directory.topic import end_offsets, publish_changes
from shared.settings import Settings

DIRECTORY_FILE = "directory.yaml"


async def load_shipped_directory(settings: Settings, config_dir: Path) -> str | None:
    """Publishes ``config_dir/directory.yaml`` when ``directory.parties`` never held a record; says what it did.

    Only a topic that was never written counts as fresh: a directory that an operator
    emptied stays empty. Raises ValueError, listing every error, when the file is wrong.
    """
    topic = settings.topics.directory
    if any((await end_offsets(settings.kafka_bootstrap_servers, topic)).values()):
        return None
    path = config_dir / DIRECTORY_FILE
    if not path.is_file():
        return f"no {path}: the directory is empty (load one with `accordeer directory load FILE`)"
    shipped = read_directory_file(path.name, path.read_text(encoding="utf-8"))
    if not shipped.ok:
        raise ValueError(f"the shipped directory {path} does not validate:\n" + "\n".join(shipped.errors))
    await publish_changes(settings.kafka_bootstrap_servers, topic, compare({}, shipped.parties))
    return f"loaded directory: {len(shipped.parties)} parties from {path}"
