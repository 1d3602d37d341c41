"""Task mails end to end: task events published on workflow.tasks reach the mail sink as one mail per event and
recipient, also when the notifier is killed with SIGKILL mid-run and started again."""

import asyncio
import uuid

import pytest

from shared.contracts.tasks import TaskEvent
from tests.support.parties import BAKKERIJ
from tests.unit.notifier.events import task_event

pytestmark = pytest.mark.e2e

EVENTS = 300
SANNE = "sanne@bakkerijvandijk.example"  # a portal user of ORG-10045 in the demo directory
FENNA = "fenna.smit@kantoor.example"  # the fiscalist, an office user (deploy/config/users.yaml)
QUICK_RECOVERY = {
    "ACCORDEER_NOTIFIER_LEASE_SECONDS": "6",
    "ACCORDEER_NOTIFIER_SMTP_TIMEOUT_SECONDS": "1.2",
    "ACCORDEER_NOTIFIER_RETRY_MAX_SECONDS": "2",
}


async def publish_events(system, events: list[TaskEvent]) -> None:
    await system.publish(system.topics.tasks, [(e.dossier_item_id, e.model_dump_json().encode()) for e in events])


def new_event(**fields) -> TaskEvent:
    return task_event(dossier_item_id=str(uuid.uuid4()), **fields)


async def sent_rows(system) -> int:
    return await system.db.fetchval("SELECT count(*) FROM notifier.mails WHERE state = 'sent'")


async def test_one_mail_per_task_event_and_recipient_also_across_a_sigkill(system):
    # The demo directory has her already when set-up loaded it; publishing her again changes nothing then.
    await system.publish(
        system.topics.directory, [(BAKKERIJ.organisation_person_id, BAKKERIJ.model_dump_json().encode())]
    )
    system.start("mail_sink")
    system.services.start_service("notifier", **QUICK_RECOVERY)

    first = new_event(assignees=["sanne.vandijk"])
    await publish_events(system, [first])
    await system.wait_for(lambda: len(system.mails()) == 1, what="the first mail")
    [mail] = system.mails()
    assert mail.to == f"Sanne van Dijk <{SANNE}>"
    assert mail.subject == "Nieuwe taak: Beoordelen aangifte klant – Btw-aangifte Q1 2025 Bakkerij Van Dijk"
    assert f"http://127.0.0.1:8480/taken/{first.dossier_item_id}" in mail.message().get_content()

    events = [
        new_event(assignees=["sanne.vandijk", "fiscalist"] if n % 3 == 0 else ["sanne.vandijk"]) for n in range(EVENTS)
    ]
    expected = {(e.event_id, a) for e in events for a in e.assignees} | {(first.event_id, "sanne.vandijk")}
    await publish_events(system, events)
    for _ in range(1200):
        if system.mail_receptions() >= 100:
            break
        await asyncio.sleep(0.01)
    system.services.processes["notifier"].kill()
    at_kill = system.mail_receptions()
    assert 1 < at_kill < len(expected), f"the kill must land mid-run, but {at_kill} mails had arrived"

    system.services.start_service("notifier", **QUICK_RECOVERY)
    await wait_until_all_sent(system, len(expected))

    rows = await system.db.fetch("SELECT event_id, recipient, address, message_id FROM notifier.mails")
    assert {(r["event_id"], r["recipient"]) for r in rows} == expected and len(rows) == len(expected)
    stored = system.mails()
    assert sorted(m.message_id for m in stored) == sorted(r["message_id"] for r in rows)
    assert {m.to for m in stored} == {f"Sanne van Dijk <{SANNE}>", f"Fenna Smit <{FENNA}>"}
    receptions = system.mail_receptions()
    print(
        f"\n{len(stored)} mails stored, {receptions} raw receptions ({receptions - len(stored)} repeats dropped "
        f"by Message-ID); {at_kill} had arrived at the SIGKILL"
    )
    # One process sends one mail at a time and marks it sent at once: a SIGKILL can repeat at most the one mail
    # the server had accepted and the database not yet heard of.
    assert len(stored) <= receptions <= len(stored) + 1


async def wait_until_all_sent(system, count: int) -> None:
    for _ in range(900):
        if await sent_rows(system) == count and len(system.mails()) == count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(
        f"{await sent_rows(system)} of {count} mails sent, {len(system.mails())} stored\n{system.logs()}"
    )
