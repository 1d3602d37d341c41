"""The notifier's composition root: settings → runtime (with its directory copy), templates, the subscriber on
workflow.tasks and the sender loop."""

from faststream import FastStream

from services.notifier.composing import MailComposer
from services.notifier.config import NotifierSettings
from services.notifier.recipients import load_office_users
from services.notifier.repository import SCHEMA, PostgresMails, PostgresNotifierRepository
from services.notifier.sender import Sender
from services.notifier.smtp import SmtpMailer
from services.notifier.templates import MailTemplates
from services.notifier.use_cases import Notifier
from shared.db.unit_of_work import PostgresUnitOfWork
from shared.kafka.batches import READ_MODEL_GATHER_MS
from shared.runtime import ServiceRuntime, new_broker, service_app
from shared.settings import Settings


def build_app(settings: Settings, options: NotifierSettings | None = None) -> FastStream:
    options = options or NotifierSettings()
    runtime = ServiceRuntime("notifier", settings, keeps_directory=True)
    composer = MailComposer(
        MailTemplates(options.templates_dir), portal_url=options.portal_url, message_id_domain=options.message_id_domain
    )
    composer.check()  # a broken template stops the start, not the first mail
    sender = Sender(
        PostgresMails(lambda: runtime.pool),
        SmtpMailer(options),
        batch_size=options.send_batch_size,
        lease_seconds=options.lease_seconds,
        retry_initial_seconds=options.retry_initial_seconds,
        retry_max_seconds=options.retry_max_seconds,
        idle_seconds=options.idle_seconds,
    )
    notifier = Notifier(
        lambda: PostgresUnitOfWork(runtime.pool, SCHEMA, runtime.group_id, PostgresNotifierRepository),
        runtime.group_id,
        composer=composer,
        office=load_office_users(settings.config_dir / "users.yaml"),
        on_new_mails=sender.wake,
    )
    broker = new_broker(settings, "notifier")
    runtime.subscribe(
        broker,
        notifier.take_tasks,
        title="workflow.tasks",
        description="Each task's life (created, reassigned, completed, escalated, cancelled); key: dossier item id.",
        gather_ms=READ_MODEL_GATHER_MS,
    )
    app = service_app(
        runtime,
        broker,
        title="Accordeer notifier",
        description="E-mails a workflow task's assignees when the task is given to them.",
    )

    @app.after_startup
    async def start_sending() -> None:
        runtime.spawn(sender.send_forever(), name="send-mails")

    return app
