"""Intake's composition root: settings → runtime, one batch subscriber on declarations.inbound and every
per-source topic declarations.from.<source> (a pattern: a source's topic created later is read without a restart)."""

from datetime import timedelta

from faststream import FastStream

from services.intake.repository import IntakeRepository
from services.intake.use_cases import Intake
from shared.db.unit_of_work import PostgresUnitOfWork
from shared.documents.loader import load_summary_config
from shared.runtime import ServiceRuntime, new_broker, service_app
from shared.settings import Settings


def build_app(settings: Settings) -> FastStream:
    runtime = ServiceRuntime("intake", settings, keeps_directory=True)
    intake = Intake(
        lambda: PostgresUnitOfWork(runtime.pool, "intake", runtime.group_id, IntakeRepository),
        settings.topics,
        max_bytes=settings.max_message_bytes,
        clock_skew=timedelta(seconds=settings.clock_skew_seconds),
        summaries=load_summary_config(settings.config_dir / "summaries.yaml"),
    )
    broker = new_broker(settings, "intake")
    runtime.subscribe(
        broker,
        intake.take_in,
        title="declarations.inbound",
        description="Inbound declarations (version 1) from external packages, key: message_id: on declarations.inbound"
        " and on each source's own topic declarations.from.<source> (there the topic names the source).",
    )
    return service_app(
        runtime,
        broker,
        title="Accordeer intake",
        description="Turns inbound declarations into dossier items, or refuses them with a reason.",
    )
