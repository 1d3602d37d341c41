"""Workflow's composition root: settings → runtime, subscribers on dossier.items and workflow.actions, deadlines."""

from collections.abc import Callable
from datetime import datetime

from faststream import FastStream

from services.workflow.escalation import Escalations
from services.workflow.publications import PublicationCache
from services.workflow.records import utc_now
from services.workflow.use_cases import Workflow
from shared.kafka.batches import subscribe_batches
from shared.runtime import ServiceRuntime, new_broker, service_app
from shared.settings import Settings

ESCALATION_INTERVAL_SECONDS = 60.0
"""Deadlines are set in hours, so looking for overdue tasks once a minute is soon enough."""


def build_app(settings: Settings, *, escalation_interval_seconds: float = ESCALATION_INTERVAL_SECONDS,
              clock: Callable[[], datetime] = utc_now) -> FastStream:
    runtime = ServiceRuntime("workflow", settings)
    broker = new_broker(settings, "workflow")
    publications = PublicationCache()
    workflow: Workflow | None = None

    def use_case() -> Workflow:
        # The pool exists only once the runtime has opened, at startup.
        nonlocal workflow
        if workflow is None:
            workflow = Workflow(runtime.pool, runtime.topics, runtime.group_id, publications=publications, clock=clock)
        return workflow

    async def take_items(records):
        return await use_case().take_items(records)

    async def take_actions(records):
        return await use_case().take_actions(records)

    batching = dict(max_records=settings.batch_max_records, batch_timeout_ms=settings.batch_timeout_ms)
    subscribe_batches(broker, settings.topics.dossier_items, group_id=runtime.group_id, apply=take_items,
                      title="dossier.items", description="New dossier items from intake; key: dossier item id.",
                      **batching)
    subscribe_batches(broker, settings.topics.workflow_actions, group_id=runtime.group_id, apply=take_actions,
                      title="workflow.actions", description="People's actions on tasks; key: dossier item id.",
                      **batching)
    app = service_app(runtime, broker, title="Accordeer workflow",
                      description="Routes dossier items into approval workflows and applies people's actions.")

    @app.after_startup
    async def start_loops() -> None:
        escalations = Escalations(runtime.pool, runtime.topics, publications, clock=clock)
        runtime.spawn(escalations.run_forever(escalation_interval_seconds), name="escalation")

    return app
