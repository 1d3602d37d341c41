"""`python -m services.mail_sink`: the local SMTP sink (MAIL_SINK_HOST, MAIL_SINK_PORT, MAIL_SINK_FOLDER)."""

import asyncio
import logging
import signal

import structlog

from services.mail_sink.server import start_server
from services.mail_sink.settings import MailSinkSettings
from shared.logs import configure_logging


async def main() -> None:
    settings = MailSinkSettings()
    configure_logging(settings.log_format)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
    server = await start_server(settings)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    structlog.get_logger("services.mail_sink").info(
        "mail sink listening", host=settings.host, port=settings.port, folder=str(settings.folder)
    )
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
