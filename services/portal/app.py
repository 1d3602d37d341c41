"""The portal's composition root: settings → runtime (with its directory copy), the read model's subscriber on
dossier.items, messages.status and workflow.tasks, and the pages served beside it."""

from datetime import timedelta

from faststream import FastStream

from services.portal.accounts import Accounts, load_accounts
from services.portal.config import PortalSettings
from services.portal.dashboard import Dashboard
from services.portal.projection import Projection
from services.portal.projection_store import SCHEMA, PostgresProjectionStore
from services.portal.reactions import load_reactions
from services.portal.web import Portal
from shared.db.retention import KeyRetention, keep_forgetting
from shared.db.unit_of_work import PostgresUnitOfWork
from shared.kafka.batches import READ_MODEL_GATHER_MS
from shared.ops_http import serve_ops
from shared.runtime import ServiceRuntime, new_broker, service_app
from shared.settings import Settings


def build_app(settings: Settings, options: PortalSettings | None = None) -> FastStream:
    options = options or PortalSettings()
    runtime = ServiceRuntime("portal", settings, keeps_directory=True)
    projection = Projection(
        lambda: PostgresUnitOfWork(runtime.pool, SCHEMA, runtime.group_id, PostgresProjectionStore),
        settings.topics,
        runtime.group_id,
    )
    dashboard = Dashboard(settings, options.lag_sample_seconds)
    portal = Portal(
        lambda: runtime.pool,
        settings.topics,
        Accounts(load_accounts(options.accounts_file)),
        options,
        reactions=load_reactions(settings.config_dir / "reaction_templates.yaml"),
        dashboard=dashboard,
    )
    broker = new_broker(settings, "portal")
    runtime.subscribe(
        broker,
        projection.apply,
        title="dossier.items, messages.status, workflow.tasks",
        description="What people see: items, their statuses and tasks.",
        gather_ms=READ_MODEL_GATHER_MS,
    )
    app = service_app(
        runtime,
        broker,
        title="Accordeer portal",
        description="Web pages where clients approve and the office works its tasks.",
    )

    @app.after_startup
    async def serve_pages() -> None:
        runtime.spawn(serve_ops(portal.app(), options.host, options.port), name="pages")
        runtime.spawn(dashboard.sample_forever(), name="lag-history")
        runtime.spawn(dashboard.follow_dead_letters(), name="dead-letter-tally")
        sent = KeyRetention("portal.sent_actions", "sent_at", timedelta(days=settings.action_key_retention_days))
        runtime.spawn(keep_forgetting(runtime.pool, [sent]), name="action-key-retention")

    return app
