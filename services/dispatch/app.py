"""Dispatch's composition root: settings → runtime, gateway client, breaker (and its record), subscriber and
background loops."""

from datetime import timedelta

from faststream import FastStream

from services.dispatch.breaker import GatewayBreaker
from services.dispatch.breaker_record import BreakerRecorder, PostgresBreakerStates
from services.dispatch.config import DispatchSettings, load_gateway_config
from services.dispatch.gateway import HttpGateway
from services.dispatch.repository import PostgresDeliveries
from services.dispatch.use_cases import Dispatch
from services.dispatch.waiting import WaitingForResend
from services.dispatch.waking import wake_on_resends
from shared.db.unit_of_work import PostgresUnitOfWork
from shared.runtime import ServiceRuntime, new_broker, service_app
from shared.settings import Settings


def build_app(settings: Settings, options: DispatchSettings | None = None) -> FastStream:
    options = options or DispatchSettings()
    runtime = ServiceRuntime("dispatch", settings)
    gateway = HttpGateway(
        settings.gateway_url, timeout=options.gateway_timeout_seconds, connections=options.gateway_connections
    )
    recorder = BreakerRecorder(PostgresBreakerStates(lambda: runtime.pool))
    dispatch = Dispatch(
        lambda: PostgresUnitOfWork(runtime.pool, "dispatch", runtime.group_id, PostgresDeliveries),
        gateway,
        load_gateway_config(settings.config_dir),
        topics=settings.topics,
        breaker=GatewayBreaker(
            threshold=options.breaker_threshold, cooldown=options.breaker_cooldown_seconds, on_change=recorder.changed
        ),
        concurrency=options.concurrency,
        poll_batch_size=options.poll_batch_size,
        polling=options.polling(),
        lease=timedelta(seconds=options.lease_seconds),
    )
    broker = new_broker(settings, "dispatch")
    runtime.subscribe(
        broker,
        dispatch.take_in,
        title="messages.approved",
        description="Approved dossier items, to be filed with the communication service.",
    )
    app = service_app(
        runtime,
        broker,
        title="Accordeer dispatch",
        description="Files approved messages with the communication service exactly once.",
    )

    runtime.on_close(gateway.close)
    runtime.on_close(recorder.forget)

    @app.after_startup
    async def start_loops() -> None:
        runtime.spawn(dispatch.deliver_forever(), name="deliver")
        runtime.spawn(dispatch.follow_forever(), name="follow-statuses")
        runtime.spawn(recorder.record_forever(), name="breaker-record")
        runtime.spawn(WaitingForResend(lambda: runtime.pool).count_forever(), name="waiting-for-resend")
        runtime.spawn(wake_on_resends(settings.database_url, dispatch.wake), name="wake-on-resends")

    return app
