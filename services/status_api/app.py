"""The status API's composition root: settings → runtime, the read model's subscriber on messages.status and
declarations.refused, and the HTTP API served beside it."""

from faststream import FastStream

from services.status_api.access import Gate
from services.status_api.api import Serving, status_api
from services.status_api.config import StatusApiSettings
from services.status_api.repository import SCHEMA, PostgresClients, PostgresStatuses, StatusLines
from services.status_api.rights import AuthorisationsFile
from services.status_api.use_cases import StatusQueries, StatusReadModel
from shared.db.unit_of_work import PostgresUnitOfWork
from shared.kafka.batches import READ_MODEL_GATHER_MS
from shared.ops_http import serve_ops
from shared.runtime import ServiceRuntime, new_broker, service_app
from shared.settings import Settings


def build_app(settings: Settings, options: StatusApiSettings | None = None) -> FastStream:
    options = options or StatusApiSettings()
    runtime = ServiceRuntime("status_api", settings)
    read_model = StatusReadModel(
        lambda: PostgresUnitOfWork(runtime.pool, SCHEMA, runtime.group_id, StatusLines),
        settings.topics,
        runtime.group_id,
    )
    authorisations = AuthorisationsFile(settings.config_dir / "authorisations.yaml")  # a broken file stops the start
    api = status_api(
        Serving(
            StatusQueries(PostgresStatuses(lambda: runtime.pool), authorisations.current),
            Gate(PostgresClients(lambda: runtime.pool), options.rate_limit),
        )
    )
    broker = new_broker(settings, "status_api")
    # What it consumes comes from shared/topology.py: messages.status and declarations.refused, the shared topics.
    runtime.subscribe(
        broker,
        read_model.apply,
        title="messages.status, declarations.refused",
        description="Every message's statuses and the refused submissions, numbered per source for the status API.",
        gather_ms=READ_MODEL_GATHER_MS,
    )
    app = service_app(
        runtime,
        broker,
        title="Accordeer status API",
        description="The statuses of a source's own messages over HTTP (Digipoort's StatusinformatieService).",
    )

    @app.after_startup
    async def serve_api() -> None:
        runtime.spawn(serve_ops(api, options.host, options.port), name="api")

    return app
