"""The notifier against a real PostgreSQL (no services running): one mail row per task event and recipient however
often a batch is applied, the sender marks what the SMTP server accepted, and waits out an SMTP outage."""

import asyncio
import time

import pytest

from accordeer.localstack.kafka import free_port
from accordeer.paths import REPO_ROOT
from services.mail_sink.mailbox import read_mailbox, receptions
from services.mail_sink.server import start_server
from services.mail_sink.settings import MailSinkSettings
from services.notifier.config import NotifierSettings
from services.notifier.recipients import load_office_users
from services.notifier.repository import PostgresMails, PostgresNotifierRepository
from services.notifier.sender import Sender
from services.notifier.smtp import SmtpMailer
from services.notifier.use_cases import Notifier
from shared.contracts.tasks import TaskEventKind
from shared.db.pool import create_pool
from shared.db.unit_of_work import PostgresUnitOfWork
from tests.support.parties import BAKKERIJ, seed_parties
from tests.support.records import consumer_record
from tests.unit.notifier.events import composer, task_event


@pytest.fixture
async def pool(system):
    pool = await create_pool(system.settings.database_url)
    async with pool.acquire() as conn:
        await seed_parties(conn, "notifier", [BAKKERIJ])
    try:
        yield pool
    finally:
        await pool.close()


def notifier(pool, consumer: str = "test-notifier") -> Notifier:
    return Notifier(
        lambda: PostgresUnitOfWork(pool, "notifier", consumer, PostgresNotifierRepository),
        consumer,
        composer=composer(),
        office=load_office_users(REPO_ROOT / "deploy" / "config" / "users.yaml"),
    )


def records(system, events):
    return [consumer_record(system.topics.tasks, e.dossier_item_id, e.model_dump_json().encode()) for e in events]


def sender(pool, port: int, **options) -> Sender:
    settings = NotifierSettings(smtp_port=port, smtp_timeout_seconds=1.2, lease_seconds=6)
    return Sender(PostgresMails(lambda: pool), SmtpMailer(settings), **options)


async def mail_rows(system) -> list[dict]:
    rows = await system.db.fetch(
        "SELECT event_id, recipient, address, state, attempts, last_error, message_id FROM notifier.mails ORDER BY id"
    )
    return [dict(r) for r in rows]


async def test_each_event_and_recipient_is_one_mail_however_often_the_batch_is_applied(system, pool):
    created = task_event(assignees=["sanne.vandijk", "fiscalist", "spook"])
    escalated = task_event(TaskEventKind.ESCALATED, assignees=["sanne.vandijk", "fiscalist"])
    completed = task_event(TaskEventKind.COMPLETED, assignees=[], actor="sanne.vandijk", action="Reageren")
    batch = records(system, [created, escalated, completed])

    await notifier(pool).take_tasks(batch)
    await notifier(pool).take_tasks(batch)  # redelivered after a crash before the Kafka commit
    await notifier(pool, "another-group").take_tasks(batch)  # past the inbox: the rows themselves refuse
    await notifier(pool).take_tasks(records(system, [created]))  # republished by workflow's relay

    rows = await mail_rows(system)
    assert sorted((r["event_id"], r["recipient"]) for r in rows) == sorted(
        [
            (created.event_id, "sanne.vandijk"),
            (created.event_id, "fiscalist"),
            (escalated.event_id, "sanne.vandijk"),
            (escalated.event_id, "fiscalist"),
        ]
    )
    assert {r["address"] for r in rows} == {"sanne@bakkerijvandijk.example", "fenna.smit@kantoor.example"}
    assert {r["state"] for r in rows} == {"pending"} and len({r["message_id"] for r in rows}) == 4


async def test_the_sender_marks_each_mail_sent_once_the_server_accepted_it(system, pool, tmp_path):
    mails = PostgresMails(lambda: pool)
    assert await mails.seconds_until_due() is None  # nothing pending: an idle sender sleeps until woken
    await notifier(pool).take_tasks(records(system, [task_event(assignees=["sanne.vandijk", "fiscalist"])]))
    assert await mails.seconds_until_due() == 0  # due now
    port = free_port()
    sink = await start_server(MailSinkSettings(port=port, folder=tmp_path))
    try:
        assert await sender(pool, port).send_due() == 2
        assert await sender(pool, port).send_due() == 0
    finally:
        sink.close()

    rows = await mail_rows(system)
    assert [(r["state"], r["attempts"]) for r in rows] == [("sent", 0), ("sent", 0)]
    assert await mails.seconds_until_due() is None
    assert sorted(m.message_id for m in read_mailbox(tmp_path)) == sorted(r["message_id"] for r in rows)
    assert receptions(tmp_path) == 2


async def test_while_smtp_is_down_mails_wait_with_backoff_and_go_once_it_is_back(system, pool, tmp_path):
    await notifier(pool).take_tasks(records(system, [task_event(assignees=["sanne.vandijk", "fiscalist"])]))
    port = free_port()
    loop = asyncio.create_task(
        sender(pool, port, retry_initial_seconds=0.2, retry_max_seconds=1.0, idle_seconds=0.1).send_forever()
    )
    try:
        await asyncio.sleep(2.5)
        down = await mail_rows(system)
        assert {r["state"] for r in down} == {"pending"}
        # 0.2 + 0.4 + 0.8 + 1.0 s (and some jitter): a handful of tries, not a busy loop.
        assert all(2 <= r["attempts"] <= 5 for r in down), down
        assert "no SMTP server" in down[0]["last_error"]

        sink = await start_server(MailSinkSettings(port=port, folder=tmp_path))
        began = time.monotonic()
        while {r["state"] for r in await mail_rows(system)} != {"sent"}:
            assert time.monotonic() - began < 10, "not sent within 10 s of the SMTP server coming back"
            await asyncio.sleep(0.1)
        sink.close()
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)

    assert len(read_mailbox(tmp_path)) == 2 and receptions(tmp_path) == 2
