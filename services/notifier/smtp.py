"""Handing mails to the SMTP server (aiosmtplib): one connection per sender round, failures sorted by what follows.

``SmtpUnavailable``: no server to talk to (refused, timed out, disconnected,
421), so the whole round is tried again later. ``MailRefused``: the server
answered about this one mail; ``permanent`` for a 5xx, which is never retried.
"""

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Protocol

import aiosmtplib
from aiosmtplib import SMTPException, SMTPRecipientsRefused, SMTPResponseException

from services.notifier.config import NotifierSettings
from services.notifier.repository import Mail

SERVICE_CLOSING = 421


class SmtpUnavailable(Exception):
    """The SMTP server cannot be reached or stopped talking."""


class MailRefused(Exception):
    """The server answered about this one mail: never again for a 5xx (``permanent``), later for a 4xx."""

    def __init__(self, message: str, *, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


class MailSession(Protocol):
    async def send(self, mail: Mail) -> None: ...


class Mailer(Protocol):
    def session(self) -> AbstractAsyncContextManager[MailSession]:
        """A connection to the SMTP server; raises SmtpUnavailable when there is none."""
        ...


def email_message(mail: Mail, mail_from: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = formataddr((mail.recipient_name, mail.address))
    message["Subject"] = mail.subject
    message["Message-ID"] = mail.message_id
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to a notification
    message["X-Accordeer-Dossier-Item"] = mail.dossier_item_id
    message.set_content(mail.body)
    return message


class SmtpMailer:
    def __init__(self, settings: NotifierSettings):
        self.settings = settings

    @asynccontextmanager
    async def session(self) -> AsyncIterator["SmtpSession"]:
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            timeout=s.smtp_timeout_seconds,
            start_tls=s.smtp_start_tls,
            username=s.smtp_username or None,
            password=s.smtp_password or None,
        )
        try:
            await client.connect()
        except (SMTPException, OSError) as error:
            raise SmtpUnavailable(f"no SMTP server at {s.smtp_host}:{s.smtp_port} ({error})") from error
        try:
            yield SmtpSession(client, s.mail_from)
        finally:
            with suppress(SMTPException, OSError):
                await client.quit()


class SmtpSession:
    def __init__(self, client: aiosmtplib.SMTP, mail_from: str):
        self.client = client
        self.mail_from = mail_from

    async def send(self, mail: Mail) -> None:
        """Returns once the server has accepted the mail."""
        try:
            await self.client.send_message(email_message(mail, self.mail_from))
        except SMTPRecipientsRefused as error:
            raise MailRefused(str(error), permanent=all(r.code >= 500 for r in error.recipients)) from error
        except SMTPResponseException as error:
            if error.code == SERVICE_CLOSING:
                raise SmtpUnavailable(f"the SMTP server is closing ({error.message})") from error
            raise MailRefused(f"{error.code} {error.message}", permanent=error.code >= 500) from error
        except (SMTPException, OSError) as error:
            raise SmtpUnavailable(f"the SMTP server stopped answering ({error})") from error
