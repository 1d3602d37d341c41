"""Intake's tables in memory, behind the same unit of work as PostgreSQL: for fast tests of planning and taking in."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import yaml

from accordeer.paths import REPO_ROOT
from services.intake.domain import Authorisations, DossierItem, DossierItemType
from services.intake.use_cases import Intake
from shared.documents.loader import load_summary_config
from shared.settings import Settings
from shared.topics import Topics
from tests.support.parties import GOLDEN_PARTIES
from tests.support.unit_of_work import InMemoryUnitOfWork, Tables


@dataclass
class IntakeTables(Tables):
    declarations: dict[tuple[str, str], str] = field(default_factory=dict)
    """(source, message_id) → fingerprint."""
    items: list[DossierItem] = field(default_factory=list)
    item_type: DossierItemType = field(default_factory=DossierItemType)


class InMemoryIntakeRepository:
    """What `IntakeRepository` does, on `IntakeTables`, with the shipped authorisations and the golden parties."""

    def __init__(self, tables: IntakeTables | None = None):
        self.tables = tables or IntakeTables()

    async def authorisations(self) -> Authorisations:
        return Authorisations.from_dict(yaml.safe_load((REPO_ROOT / "deploy/config/authorisations.yaml").read_text()))

    async def item_type(self) -> DossierItemType:
        return self.tables.item_type

    async def save_item_type(self, item_type: DossierItemType) -> None:
        self.tables.item_type = item_type

    async def parties(self, ids) -> dict:
        return {i: GOLDEN_PARTIES[i] for i in ids if i in GOLDEN_PARTIES}

    async def fingerprints(self, keys) -> dict[tuple[str, str], str]:
        return {key: self.tables.declarations[key] for key in keys if key in self.tables.declarations}

    async def add(self, declarations: list[tuple], items: list[DossierItem]) -> None:
        for source, message_id, fingerprint, *_ in declarations:
            self.tables.declarations[(source, message_id)] = fingerprint
        self.tables.items.extend(items)


def units_of_work(tables: IntakeTables):
    return lambda: InMemoryUnitOfWork(tables, InMemoryIntakeRepository)


def intake_on(topics: Topics, now: datetime, tables: IntakeTables | None = None) -> Intake:
    """Intake as its app builds it, on these tables, its clock stopped at ``now``."""
    settings = Settings(database_url="unused")
    return Intake(
        units_of_work(tables or IntakeTables()),
        topics,
        max_bytes=settings.max_message_bytes,
        clock_skew=timedelta(seconds=settings.clock_skew_seconds),
        summaries=load_summary_config(settings.config_dir / "summaries.yaml"),
        clock=lambda: now,
    )
