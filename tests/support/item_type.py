"""Making Accorderingsbericht confidential (or not) in a test as an office does: a version published with the
setting, which intake takes from workflow.setup.outcomes. Intake and workflow (whose relay sends the outcome) must
be running; the helper returns once intake applies it, so the next declaration is made under it."""

import asyncio
import shutil
from pathlib import Path

from accordeer.paths import REPO_ROOT
from services.workflow.domain import load_config_folder
from services.workflow.setup import publish
from shared import item_type

APPLIED = "SELECT confidential FROM intake.item_types WHERE name = 'Accorderingsbericht'"


async def publish_confidential(system, folder: Path, *, confidential: bool = True) -> None:
    """``folder``: an empty place for a copy of the shipped configuration with the setting changed."""
    shutil.copytree(REPO_ROOT / "deploy" / "config", folder)
    (folder / item_type.FILE).write_text(item_type.dump(item_type.ItemTypeSettings(confidential=confidential)))
    publication, _ = await publish(system.db, load_config_folder(folder), system.topics, published_by="test")
    assert publication.ok, publication.report()
    for _ in range(600):
        if await system.db.fetchval(APPLIED) is confidential:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"intake never took confidential={confidential} from the published version\n{system.logs()}")
