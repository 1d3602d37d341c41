"""Intake administration for the CLI: authorisations, and the one changeable setting of the built-in type."""

import asyncio
from pathlib import Path

import yaml

from services.intake.domain import Authorisations, Refusal, change_type_setting
from services.intake.repository import IntakeRepository
from shared.db.pool import Connection


async def load_authorisations(conn: Connection, path: Path) -> Authorisations:
    """Replace the stored authorisations by the file's; a bad file raises ValueError naming the entry."""
    authorisations = Authorisations.from_dict(yaml.safe_load(await asyncio.to_thread(path.read_text)) or {})
    await IntakeRepository(conn).save_authorisations(authorisations)
    return authorisations


async def authorisations_loaded(conn: Connection) -> bool:
    return bool(await conn.fetchval("SELECT count(*) FROM intake.authorisations"))


async def change_item_type(conn: Connection, setting: str, value: object) -> str | Refusal:
    """Change a setting of Accorderingsbericht; only 'confidential' may change, anything else is refused."""
    async with conn.transaction():
        repository = IntakeRepository(conn)
        changed = change_type_setting(await repository.item_type(), setting, value)
        if isinstance(changed, Refusal):
            return changed
        await repository.save_item_type(changed)
    return f"{changed.name}: {setting} = {value}"
