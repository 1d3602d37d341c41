"""Workflow's composition root: settings → runtime, subscribers on dossier.items and workflow.actions."""

from faststream import FastStream

from services.workflow.use_cases import Workflow
from shared.kafka.batches import subscribe_batches
from shared.runtime import ServiceRuntime, new_broker, service_app
from shared.settings import Settings


def build_app(settings: Settings) -> FastStream:
    runtime = ServiceRuntime("workflow", settings)
    broker = new_broker(settings, "workflow")
    workflow: Workflow | None = None

    async def take_items(records):
        return await _use_case().take_items(records)

    async def take_actions(records):
        return await _use_case().take_actions(records)

    def _use_case() -> Workflow:
        nonlocal workflow
        if workflow is None:
            workflow = Workflow(runtime.pool, runtime.topics, runtime.group_id)
        return workflow

    batching = dict(max_records=settings.batch_max_records, batch_timeout_ms=settings.batch_timeout_ms)
    subscribe_batches(broker, settings.topics.dossier_items, group_id=runtime.group_id, apply=take_items,
                      title="dossier.items", description="New dossier items from intake; key: dossier item id.",
                      **batching)
    subscribe_batches(broker, settings.topics.workflow_actions, group_id=runtime.group_id, apply=take_actions,
                      title="workflow.actions", description="People's actions on tasks; key: dossier item id.",
                      **batching)
    return service_app(runtime, broker, title="Accordeer workflow",
                       description="Routes dossier items into approval workflows and applies people's actions.")
