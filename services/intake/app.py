"""Intake's composition root: settings → runtime, one batch subscriber on declarations.inbound and every
per-source topic declarations.from.<source> (a pattern: a source's topic created later is read without a restart)."""

from faststream import FastStream

from services.intake.repository import IntakeRepository
from services.intake.use_cases import Intake
from shared.db.unit_of_work import PostgresUnitOfWork
from shared.kafka.batches import subscribe_batches
from shared.kafka.poison import pool_answers
from shared.runtime import ServiceRuntime, new_broker, service_app
from shared.settings import Settings


def build_app(settings: Settings) -> FastStream:
    runtime = ServiceRuntime("intake", settings, keeps_directory=True)
    intake = Intake(runtime, lambda: PostgresUnitOfWork(runtime.pool, "intake", runtime.group_id, IntakeRepository))
    broker = new_broker(settings, "intake")
    subscribe_batches(
        broker, None, pattern=settings.topics.intake_pattern, group_id=runtime.group_id, apply=intake.take_in,
        max_records=settings.batch_max_records, batch_timeout_ms=settings.batch_timeout_ms,
        database_answers=lambda: pool_answers(runtime.pool), title="declarations.inbound",
        description="Inbound declarations (version 1) from external packages, key: message_id: on declarations.inbound"
                    " and on each source's own topic declarations.from.<source> (there the topic names the source).",
    )
    return service_app(runtime, broker, title="Accordeer intake",
                       description="Turns inbound declarations into dossier items, or refuses them with a reason.")
