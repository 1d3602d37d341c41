"""The sender loop: pending mails go to the SMTP server, each marked sent right after the server accepted it.

Exactly one mail per task event and recipient rests on three things:

1. Consuming stores one row per (event_id, recipient), ``ON CONFLICT DO
   NOTHING``, in the transaction that moves the inbox positions: a record
   applied twice, or an event published twice, adds no second row.
2. A row is marked sent in its own short transaction right after the SMTP
   server accepted it. The only window for a repeat is between that acceptance
   and that commit (a SIGKILL exactly there, or the database gone at that
   moment; a lease running out mid-send is the same case): the row is still
   pending, and is sent again once its lease has run out.
3. That repeat carries the same Message-ID (derived from event and recipient),
   so a mail store that drops a Message-ID it already holds keeps one mail.

An unreachable SMTP server hands the round's mails back untouched and the loop
tries again with exponential backoff (tenacity); it resets once a round works.
"""

import asyncio
import contextlib

import structlog
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential_jitter

from services.notifier import metrics
from services.notifier.repository import Mail, Mails
from services.notifier.smtp import Mailer, MailRefused, MailSession, SmtpUnavailable
from shared.loops import run_forever

log = structlog.get_logger(__name__)

# After an unexpected error (the database away, a bug) the loop pauses rather than spinning.
PAUSE_AFTER_ERROR = 1.0


class Sender:
    def __init__(
        self,
        mails: Mails,
        mailer: Mailer,
        *,
        batch_size: int = 10,
        lease_seconds: float = 60.0,
        retry_initial_seconds: float = 0.5,
        retry_max_seconds: float = 60.0,
        idle_seconds: float = 1.0,
    ):
        self.mails = mails
        self.mailer = mailer
        self.batch_size = batch_size
        self.lease_seconds = lease_seconds
        self.retry_initial_seconds = retry_initial_seconds
        self.retry_max_seconds = retry_max_seconds
        self.idle_seconds = idle_seconds
        self._work = asyncio.Event()

    def wake(self) -> None:
        """New mails were stored: look now rather than at the next idle tick."""
        self._work.set()

    async def send_forever(self) -> None:
        async def one_round() -> None:
            if await self.send_until_reachable() < self.batch_size:  # a full batch: more may be due right now
                with contextlib.suppress(TimeoutError):
                    # Not wait_for: on Python 3.11 it can swallow a cancellation that meets the event, and the
                    # sender would never stop.
                    async with asyncio.timeout(await self._idle_wait()):
                        await self._work.wait()

        await run_forever("sending mails", one_round)

    async def _idle_wait(self) -> float:
        """Until the next mail is due (a retry, or a crashed process's lease running out), at most ``idle_seconds``:
        new mails of this process wake it at once; another process's new mails are that process's to send."""
        try:
            due = await self.mails.seconds_until_due()
        except Exception:  # the database away: the next round says so
            return PAUSE_AFTER_ERROR
        return self.idle_seconds if due is None else min(due, self.idle_seconds)

    async def send_until_reachable(self) -> int:
        """One round; while the SMTP server is unreachable, the round is tried again after 0.5, 1, 2 ... 60 s."""
        sent = 0
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(SmtpUnavailable),
            before_sleep=_log_outage,
            reraise=True,
            wait=wait_exponential_jitter(
                multiplier=self.retry_initial_seconds, max=self.retry_max_seconds, jitter=self.retry_initial_seconds
            ),
        )
        try:
            async for attempt in retrying:
                with attempt:
                    sent = await self.send_due()
        except Exception:
            log.exception("sending mails failed; trying again")
            await asyncio.sleep(PAUSE_AFTER_ERROR)
        return sent

    async def send_due(self) -> int:
        """Claim a small batch of due mails and send them over one connection; returns how many were claimed."""
        self._work.clear()
        claimed = await self.mails.claim(limit=self.batch_size, lease_seconds=self.lease_seconds)
        unsent = list(claimed)
        try:
            if unsent:
                async with self.mailer.session() as session:
                    while unsent:
                        await self._send(session, unsent[0])
                        unsent.pop(0)
        except SmtpUnavailable as error:
            metrics.SMTP_UNAVAILABLE.inc()
            await self.mails.postpone(unsent, delay_seconds=0, error=str(error))
            raise
        return len(claimed)

    async def _send(self, session: MailSession, claimed: Mail) -> None:
        with structlog.contextvars.bound_contextvars(
            dossier_item_id=claimed.dossier_item_id, recipient=claimed.recipient, mail_message_id=claimed.message_id
        ):
            # The batch's lease may have run out while earlier mails were sent (a slow server): each mail gets a
            # lease of its own right before it is sent, and one another process has taken over is left to it.
            mail = await self.mails.renew(claimed, lease_seconds=self.lease_seconds)
            if mail is None:
                log.info("mail taken over by another process; not sent here")
                return
            try:
                await session.send(mail)
            except MailRefused as refusal:
                await self._refused(mail, refusal)
                return
            await self.mails.mark_sent(mail)  # at once: the window for a repeat is this line
            metrics.MAILS_SENT.inc()
            log.info("mail sent", attempts=mail.attempts + 1)

    async def _refused(self, mail: Mail, refusal: MailRefused) -> None:
        if refusal.permanent:
            await self.mails.mark_refused(mail, error=str(refusal))
            metrics.MAILS_REFUSED.inc()
            log.warning("the SMTP server refused the mail; it is not sent", error=str(refusal))
        else:
            await self.mails.postpone([mail], delay_seconds=self.retry_max_seconds, error=str(refusal))
            log.info(
                "the SMTP server deferred the mail; trying again later",
                error=str(refusal),
                seconds=self.retry_max_seconds,
            )


def _log_outage(state: RetryCallState) -> None:
    wait = state.next_action.sleep if state.next_action else 0
    error = state.outcome.exception() if state.outcome else None
    log.warning("no SMTP server; mails wait", error=str(error), retry_in=round(wait, 1), round=state.attempt_number)
