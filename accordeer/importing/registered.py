"""What intake already holds, read once per import: its rules' inputs, the rows registered by earlier imports, and
dossier items that have a row's document under another message."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from accordeer.directory.topic import read_directory
from accordeer.importing.checks import Rules
from accordeer.importing.judging import Registered
from services.intake.repository import IntakeRepository
from shared.documents.loader import load_summary_config
from shared.settings import Settings

_STATUS = "coalesce(d.status_code, w.status_code, 20) AS status_code"
_JOINS = """
LEFT JOIN workflow.instances w ON w.dossier_item_id = i.id
LEFT JOIN dispatch.deliveries d ON d.dossier_item_id = i.id
"""
ITEMS = f"""
SELECT i.id, i.message_id, i.source, i.subject, {_STATUS}
FROM intake.dossier_items i {_JOINS}
WHERE i.source = $1 AND i.message_id = ANY($2::text[])
ORDER BY i.message_id, i.destination_index
"""
TWINS = f"""
SELECT i.id, i.message_id, i.source, i.subject, i.organisation_person_id, i.message_type, wanted.document, {_STATUS}
FROM unnest($1::text[], $2::text[], $3::text[]) AS wanted (organisation_person_id, message_type, document)
JOIN intake.dossier_items i USING (organisation_person_id, message_type) {_JOINS}
WHERE encode(sha256(decode(i.document->>'content_base64', 'base64')), 'hex') = wanted.document
ORDER BY i.created_at
"""


async def read_rules(conn, settings: Settings) -> Rules:
    repository = IntakeRepository(conn)
    return Rules(
        authorisations=await repository.authorisations(),
        item_type=await repository.item_type(),
        parties=await read_directory(settings.kafka_bootstrap_servers, settings.topics.directory),
        summaries=load_summary_config(settings.config_dir / "summaries.yaml"),
        now=datetime.now(UTC),
        clock_skew=timedelta(seconds=settings.clock_skew_seconds),
        max_bytes=settings.max_message_bytes,
    )


async def registered_items(conn, source: str, message_ids: list[str]) -> dict[str, list[Registered]]:
    """message id → its dossier items, for the messages intake already registered."""
    found: dict[str, list[Registered]] = {}
    for row in await conn.fetch(ITEMS, source, message_ids):
        found.setdefault(row["message_id"], []).append(_registered(row))
    return found


async def same_documents(conn, keys: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str, str], Registered]:
    """(destination, message type, document's SHA-256) → the first dossier item intake holds with that document."""
    wanted = list(set(keys))
    found: dict[tuple[str, str, str], Registered] = {}
    rows = await conn.fetch(TWINS, [k[0] for k in wanted], [k[1] for k in wanted], [k[2] for k in wanted])
    for row in rows:
        found.setdefault((row["organisation_person_id"], row["message_type"], row["document"]), _registered(row))
    return found


def _registered(row) -> Registered:
    return Registered(str(row["id"]), row["message_id"], row["source"], row["subject"], row["status_code"])
