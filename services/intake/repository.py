"""Intake's tables (schema ``intake``): declarations seen, dossier items, the item type, authorisations."""

from collections.abc import Iterable
from datetime import datetime
from typing import TypeAlias

from services.intake.domain import Authorisations, DossierItem, DossierItemType
from shared.contracts.directory import Party
from shared.db.pool import Connection
from shared.db.rows import insert_rows
from shared.directory import store

ITEM_COLUMNS = {
    "id": "uuid",
    "source": "text",
    "message_id": "text",
    "destination_index": "int",
    "item_type": "text",
    "message_type": "text",
    "submitter": "text",
    "submitted_at": "timestamptz",
    "subject": "text",
    "organisation_person_id": "text",
    "contact_id": "text",
    "identity": "jsonb",
    "document": "jsonb",
    "attachment": "jsonb",
    "characteristics": "jsonb",
    "free_fields": "jsonb",
    "confidential": "boolean",
    "summary": "jsonb",
}
DECLARATION_COLUMNS = {
    "source": "text",
    "message_id": "text",
    "fingerprint": "text",
    "received_at": "timestamptz",
    "item_count": "int",
}

"""A connection of its own (the CLI) or one lent by the pool (a unit of work)."""

DeclarationRow: TypeAlias = tuple[str, str, str, datetime, int]
"""(source, message_id, fingerprint, received_at, item_count)."""


class IntakeRepository:
    """Every method runs on the connection given, inside the caller's transaction."""

    def __init__(self, conn: Connection):
        self.conn = conn

    async def authorisations(self) -> Authorisations:
        document = await self.conn.fetchval("SELECT document FROM intake.authorisations WHERE id = 1")
        return Authorisations.from_dict(document) if document else Authorisations()

    async def save_authorisations(self, authorisations: Authorisations) -> None:
        await self.conn.execute(
            "INSERT INTO intake.authorisations (id, document) VALUES (1, $1)"
            " ON CONFLICT (id) DO UPDATE SET document = excluded.document, loaded_at = now()",
            authorisations.to_dict(),
        )

    async def item_type(self) -> DossierItemType:
        row = await self.conn.fetchrow(
            "SELECT confidential, allows_file_link FROM intake.item_types WHERE name = 'Accorderingsbericht'"
        )
        assert row is not None, "the built-in item type is inserted by a migration"
        return DossierItemType(confidential=row["confidential"], allows_file_link=row["allows_file_link"])

    async def save_item_type(self, item_type: DossierItemType) -> None:
        await self.conn.execute(
            "UPDATE intake.item_types SET confidential = $2, updated_at = now() WHERE name = $1",
            item_type.name,
            item_type.confidential,
        )

    async def parties(self, ids: Iterable[str]) -> dict[str, Party]:
        """Intake's copy of the directory entries among ``ids``."""
        return await store.parties(self.conn, "intake", ids)

    async def fingerprints(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        keys = list(keys)
        if not keys:
            return {}
        rows = await self.conn.fetch(
            "SELECT source, message_id, fingerprint FROM intake.declarations"
            " WHERE (source, message_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))",
            [s for s, _ in keys],
            [m for _, m in keys],
        )
        return {(r["source"], r["message_id"]): r["fingerprint"] for r in rows}

    async def add(self, declarations: list[DeclarationRow], items: list[DossierItem]) -> None:
        """Declarations as (source, message_id, fingerprint, received_at, item_count)."""
        await insert_rows(self.conn, "intake.declarations", DECLARATION_COLUMNS, declarations)
        await insert_rows(self.conn, "intake.dossier_items", ITEM_COLUMNS, [_item_row(i) for i in items])


def _item_row(item: DossierItem) -> tuple[object, ...]:
    return (
        item.id,
        item.source,
        item.message_id,
        item.destination_index,
        item.item_type,
        item.message_type,
        item.submitter,
        item.submitted_at,
        item.subject,
        item.organisation_person_id,
        item.contact_id,
        item.identity.model_dump(),
        item.document.model_dump(),
        item.attachment.model_dump(exclude_none=True) if item.attachment else None,
        dict(item.characteristics),
        dict(item.free_fields),
        item.confidential,
        item.summary.model_dump(mode="json") if item.summary else None,
    )
