"""Dispatch's composition root: settings → runtime, gateway client, subscriber and background loops."""

from faststream import FastStream

from services.dispatch.config import load_gateway_config
from services.dispatch.gateway import HttpGateway
from services.dispatch.use_cases import Dispatch
from shared.kafka.batches import subscribe_batches
from shared.runtime import ServiceRuntime, new_broker, service_app
from shared.settings import Settings


def build_app(settings: Settings) -> FastStream:
    runtime = ServiceRuntime("dispatch", settings)
    gateway = HttpGateway(settings.gateway_url)
    dispatch = Dispatch(runtime, gateway, load_gateway_config(settings.config_dir))
    broker = new_broker(settings, "dispatch")
    subscribe_batches(
        broker, settings.topics.approved, group_id=runtime.group_id, apply=dispatch.take_in,
        max_records=settings.batch_max_records, batch_timeout_ms=settings.batch_timeout_ms,
        title="messages.approved", description="Approved dossier items, to be filed with the communication service.",
    )
    app = service_app(runtime, broker, title="Accordeer dispatch",
                      description="Files approved messages with the communication service exactly once.")

    runtime.on_close(gateway.close)

    @app.after_startup
    async def start_loops() -> None:
        runtime.spawn(dispatch.deliver_forever(), name="deliver")
        runtime.spawn(dispatch.follow_forever(), name="follow-statuses")

    return app
