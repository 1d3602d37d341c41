"""Getting a system ready: migrations, topics, and the shipped configuration when none is loaded yet."""

import asyncio
from pathlib import Path

from accordeer.directory.shipped import load_shipped_directory
from accordeer.operators import configured_operators, principal_of
from services.intake.admin import authorisations_loaded, load_authorisations
from services.intake.source_topics import source_names
from services.workflow.domain import load_config_folder
from services.workflow.repository import WorkflowRepository
from services.workflow.setup import announce_latest, publish
from shared.db.migrations import apply_migrations
from shared.db.pool import connect
from shared.db.provisioning import ensure_roles
from shared.kafka.admin import ensure_topics
from shared.settings import Settings


async def prepare(settings: Settings, *, config_dir: Path | None = None, provision: bool = True) -> list[str]:
    """Idempotent; returns what it did, one line each. ``provision`` False: the topics and the roles are someone
    else's to make (a deployment's KafkaTopics, its database operator's roles)."""
    done = []
    if provision and (created := await asyncio.to_thread(ensure_roles, settings.database_url)):
        done.append(f"created PostgreSQL roles (no login until given a password): {', '.join(created)}")
    applied = await asyncio.to_thread(apply_migrations, settings.database_url)
    if applied:
        done.append(f"applied migrations: {', '.join(applied)}")
    # The product's topics, every configured source's and every operator's, in one request and one wait.
    folder = config_dir or settings.config_dir
    if provision and (
        created := await ensure_topics(
            settings.kafka_bootstrap_servers,
            settings.topic_prefix,
            settings.kafka_environment,
            sources=source_names(folder / "authorisations.yaml"),
            writers=[principal_of(name) for name in configured_operators(folder / "operators.yaml")],
            settings=settings,
        )
    ):
        done.append(f"created topics: {', '.join(created)}")
    config_dir = config_dir or settings.config_dir
    if loaded_directory := await load_shipped_directory(settings, config_dir):
        done.append(loaded_directory)
    conn = await connect(settings.database_url)
    try:
        if not await authorisations_loaded(conn):
            await load_authorisations(conn, config_dir / "authorisations.yaml")
            done.append(f"loaded authorisations from {config_dir / 'authorisations.yaml'}")
        if await WorkflowRepository(conn).latest_publication_id() is None:
            publication, _ = await publish(conn, load_config_folder(config_dir), settings.topics, published_by="setup")
            if not publication.ok:
                raise ValueError(
                    "the shipped workflow configuration does not validate:\n" + "\n".join(publication.report())
                )
            done.append(f"published workflows: {', '.join(sorted(publication.workflows))}")
        elif announced := await announce_latest(conn, settings.topics):
            done.append(f"announced version {announced} of the workflows (published before versions were)")
    finally:
        await conn.close()
    return done
