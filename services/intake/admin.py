"""Intake administration for the CLI: the authorisations. (The item type's setting is published with the
configuration: see ``shared.item_type``.)"""

import asyncio
from pathlib import Path

import yaml

from services.intake.domain import Authorisations
from services.intake.repository import IntakeRepository
from shared.db.pool import Connection


async def load_authorisations(conn: Connection, path: Path) -> Authorisations:
    """Replace the stored authorisations by the file's; a bad file raises ValueError naming the entry."""
    authorisations = Authorisations.from_dict(yaml.safe_load(await asyncio.to_thread(path.read_text)) or {})
    await IntakeRepository(conn).save_authorisations(authorisations)
    return authorisations


async def authorisations_loaded(conn: Connection) -> bool:
    return bool(await conn.fetchval("SELECT count(*) FROM intake.authorisations"))
