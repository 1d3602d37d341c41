"""What intake already holds, read once per import: its rules' inputs, and the rows registered by earlier imports."""

from datetime import UTC, datetime, timedelta

from accordeer.importing.checks import Rules
from accordeer.directory.topic import read_directory
from services.intake.repository import IntakeRepository
from shared.documents.loader import load_summary_config
from shared.settings import Settings

ITEMS = """
SELECT i.message_id, i.id, coalesce(d.status_code, w.status_code, 20) AS status_code
FROM intake.dossier_items i
LEFT JOIN workflow.instances w ON w.dossier_item_id = i.id
LEFT JOIN dispatch.deliveries d ON d.dossier_item_id = i.id
WHERE i.source = $1 AND i.message_id = ANY($2::text[])
ORDER BY i.message_id, i.destination_index
"""


async def read_rules(conn, settings: Settings) -> Rules:
    repository = IntakeRepository(conn)
    return Rules(
        authorisations=await repository.authorisations(), item_type=await repository.item_type(),
        parties=await read_directory(settings.kafka_bootstrap_servers, settings.topics.directory),
        summaries=load_summary_config(settings.config_dir / "summaries.yaml"), now=datetime.now(UTC),
        clock_skew=timedelta(seconds=settings.clock_skew_seconds), max_bytes=settings.max_message_bytes,
    )


async def registered_items(conn, source: str, message_ids: list[str]) -> dict[str, list[tuple[str, int]]]:
    """message id → its dossier items (id, status code), for the messages intake already registered."""
    found: dict[str, list[tuple[str, int]]] = {}
    for row in await conn.fetch(ITEMS, source, message_ids):
        found.setdefault(row["message_id"], []).append((row["id"], row["status_code"]))
    return found
