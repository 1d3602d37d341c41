"""The sender with an in-memory mails table and SMTP server: what each answer of the server leads to."""

import asyncio
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from services.notifier.repository import Mail
from services.notifier.sender import Sender
from services.notifier.smtp import MailRefused, SmtpUnavailable


def mail(n: int) -> Mail:
    return Mail(
        id=n,
        recipient=f"user-{n}",
        dossier_item_id=f"item-{n}",
        recipient_name=f"User {n}",
        address=f"user-{n}@example.org",
        subject="Nieuwe taak",
        body="Beste",
        message_id=f"<{n}@test>",
        attempts=0,
        due_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


@dataclass
class InMemoryMails:
    pending: list[Mail]
    sent: list[int] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)
    postponed: list[tuple[list[int], float]] = field(default_factory=list)
    taken_over: set[int] = field(default_factory=set)

    async def claim(self, *, limit: int, lease_seconds: float) -> list[Mail]:
        claimed, self.pending = self.pending[:limit], self.pending[limit:]
        return claimed

    async def renew(self, mail: Mail, *, lease_seconds: float) -> Mail | None:
        return None if mail.id in self.taken_over else mail

    async def mark_sent(self, mail: Mail) -> None:
        self.sent.append(mail.id)

    async def mark_refused(self, mail: Mail, *, error: str) -> None:
        self.refused.append(mail.id)

    async def postpone(self, mails, *, delay_seconds: float, error: str) -> None:
        self.postponed.append(([m.id for m in mails], delay_seconds))

    async def seconds_until_due(self) -> float | None:
        return 0.0 if self.pending else (min(d for _, d in self.postponed) if self.postponed else None)


@dataclass
class ScriptedServer:
    """Answers each mail id as scripted (an exception to raise), accepting the rest; ``None``: unreachable."""

    answers: dict[int, Exception] | None = field(default_factory=dict)
    accepted: list[int] = field(default_factory=list)

    @asynccontextmanager
    async def session(self):
        if self.answers is None:
            raise SmtpUnavailable("no SMTP server at 127.0.0.1:1")
        yield self

    async def send(self, mail: Mail) -> None:
        assert self.answers is not None, "sending goes through a session, which an unreachable server refuses"
        if mail.id in self.answers:
            raise self.answers[mail.id]
        self.accepted.append(mail.id)


def sender(mails: InMemoryMails, server: ScriptedServer) -> Sender:
    return Sender(mails, server, batch_size=10, retry_max_seconds=60)


async def test_every_accepted_mail_is_marked_sent():
    mails = InMemoryMails([mail(n) for n in range(1, 4)])

    assert await sender(mails, ScriptedServer()).send_due() == 3
    assert mails.sent == [1, 2, 3] and mails.postponed == []


async def test_a_refusal_for_good_is_not_retried_and_a_4xx_waits_while_the_rest_go():
    mails = InMemoryMails([mail(n) for n in range(1, 5)])
    server = ScriptedServer(
        {2: MailRefused("550 no such user", permanent=True), 3: MailRefused("451 try later", permanent=False)}
    )

    await sender(mails, server).send_due()

    assert (mails.sent, mails.refused, mails.postponed) == ([1, 4], [2], [([3], 60)])


async def test_when_the_server_goes_away_the_unsent_mails_are_handed_back_for_the_next_round():
    mails = InMemoryMails([mail(n) for n in range(1, 5)])
    server = ScriptedServer({3: SmtpUnavailable("disconnected")})

    with pytest.raises(SmtpUnavailable):
        await sender(mails, server).send_due()

    assert mails.sent == [1, 2] and mails.postponed == [([3, 4], 0)]


async def test_an_unreachable_server_hands_back_the_whole_batch():
    mails = InMemoryMails([mail(n) for n in range(1, 3)])

    with pytest.raises(SmtpUnavailable):
        await sender(mails, ScriptedServer(answers=None)).send_due()

    assert mails.sent == [] and mails.postponed == [([1, 2], 0)]


async def test_a_mail_another_process_took_over_is_not_sent_again():
    mails = InMemoryMails([mail(1), mail(2), mail(3)], taken_over={2})
    server = ScriptedServer()

    await sender(mails, server).send_due()

    assert server.accepted == [1, 3] and mails.sent == [1, 3]


async def test_an_idle_sender_sleeps_until_the_next_mail_is_due_and_at_most_its_idle_time():
    server = ScriptedServer()
    idle = Sender(InMemoryMails([]), server, idle_seconds=30)
    assert await idle._idle_wait() == 30  # nothing pending: new mails wake it
    retrying = InMemoryMails([], postponed=[([1], 12.0)])
    assert await Sender(retrying, server, idle_seconds=30)._idle_wait() == 12  # not a poll every second
    assert await Sender(InMemoryMails([], postponed=[([1], 90.0)]), server, idle_seconds=30)._idle_wait() == 30
    assert await Sender(InMemoryMails([mail(1)]), server, idle_seconds=30)._idle_wait() == 0


async def test_a_sender_told_to_stop_as_new_mail_wakes_it_stops():
    """The cancellation and the wake-up in the same moment: the loop must end (asyncio.wait_for on Python 3.11
    dropped such a cancellation, and the sender went on forever; a stopping notifier hung)."""
    running = Sender(InMemoryMails([]), ScriptedServer(), idle_seconds=30)
    loop = asyncio.create_task(running.send_forever())
    for _ in range(20):  # until it waits for work
        await asyncio.sleep(0)
    running.wake()
    assert loop.cancel()
    done, _ = await asyncio.wait([loop], timeout=2)
    assert done, "the sender went on after it was cancelled"
