"""Workflow's composition root: settings → runtime, subscribers on dossier.items and workflow.actions, deadlines."""

from collections.abc import Callable
from datetime import datetime, timedelta

from faststream import FastStream

from services.workflow.escalation import Escalations
from services.workflow.publications import PublicationCache
from services.workflow.records import utc_now
from services.workflow.repository import WorkflowRepository
from services.workflow.use_cases import Workflow
from shared.db.retention import KeyRetention, keep_forgetting
from shared.db.unit_of_work import PostgresUnitOfWork
from shared.runtime import ServiceRuntime, new_broker, service_app
from shared.settings import Settings


def build_app(settings: Settings, *, clock: Callable[[], datetime] = utc_now) -> FastStream:
    runtime = ServiceRuntime("workflow", settings, keeps_directory=True)
    broker = new_broker(settings, "workflow")
    publications = PublicationCache()

    def unit_of_work() -> PostgresUnitOfWork[WorkflowRepository]:
        return PostgresUnitOfWork(runtime.pool, "workflow", runtime.group_id, WorkflowRepository)

    workflow = Workflow(unit_of_work, runtime.topics, runtime.group_id, publications=publications, clock=clock)
    # One consumer for both topics: two consumers in one group would rebalance each other at every start.
    runtime.subscribe(
        broker,
        workflow.take,
        title="dossier.items, workflow.actions.from.<writer>",
        description="New dossier items from intake and people's actions; key: dossier item id.",
    )
    app = service_app(
        runtime,
        broker,
        title="Accordeer workflow",
        description="Routes dossier items into approval workflows and applies people's actions.",
    )

    @app.after_startup
    async def start_loops() -> None:
        escalations = Escalations(unit_of_work, runtime.topics, publications, clock=clock)
        runtime.spawn(escalations.run_forever(settings.escalation_interval_seconds), name="escalation")
        applied = KeyRetention(
            "workflow.applied_actions", "applied_at", timedelta(days=settings.action_key_retention_days)
        )
        runtime.spawn(keep_forgetting(runtime.pool, [applied]), name="action-key-retention")

    return app
