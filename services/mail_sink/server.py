"""The SMTP side of the sink (aiosmtpd): every mail received goes to the folder, one log line each."""

import asyncio

import structlog
from aiosmtpd.smtp import SMTP, Envelope, Session

from services.mail_sink.mailbox import MailStore, parse
from services.mail_sink.settings import MailSinkSettings

log = structlog.get_logger(__name__)


class SinkHandler:
    def __init__(self, store: MailStore):
        self.store = store

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 (aiosmtpd)
        content = envelope.original_content or envelope.content
        assert content is not None, "aiosmtpd sets the content before it calls handle_DATA"
        raw = content if isinstance(content, bytes) else content.encode()
        message = parse(raw)
        ids = {"message_id": str(message.get("Message-ID", "")), "to": ", ".join(envelope.rcpt_tos)}
        if self.store.keep(raw):
            log.info("mail stored", subject=str(message.get("Subject", "")), **ids)
        else:
            log.info("duplicate dropped", **ids)
        return "250 Message accepted for delivery"


async def start_server(settings: MailSinkSettings) -> asyncio.Server:
    handler = SinkHandler(MailStore(settings.folder))
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: SMTP(handler, enable_SMTPUTF8=True, hostname="mail-sink"), settings.host, settings.port
    )
