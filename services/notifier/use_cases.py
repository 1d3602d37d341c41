"""The notifier's use case: task events become mails, stored once per event and recipient in one transaction.

A batch of ``workflow.tasks`` records is applied in one unit of work, which
also moves the inbox positions: a record applied before adds nothing, and a
mail row already there for an (event, recipient) is left alone. A record that
is not a task event goes to ``workflow.tasks.dlq`` through the outbox, in that
transaction. Sending happens later, in the sender loop (``sender.py``).
"""

from collections.abc import Callable, Mapping, Sequence

import structlog
from aiokafka import ConsumerRecord

from services.notifier import metrics
from services.notifier.composing import MailComposer
from services.notifier.planning import MailPlan, mailed, plan_mails
from services.notifier.recipients import Recipient, portal_contacts
from services.notifier.repository import NotifierRepository
from shared import dead_letters
from shared.contracts.tasks import TaskEvent
from shared.db.unit_of_work import UnitOfWork

log = structlog.get_logger(__name__)


class Notifier:
    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork[NotifierRepository]],
        consumer: str,
        *,
        composer: MailComposer,
        office: Mapping[str, Recipient],
        on_new_mails: Callable[[], None] = lambda: None,
    ):
        self.unit_of_work = unit_of_work
        self.consumer = consumer
        self.composer = composer
        self.office = office
        self.on_new_mails = on_new_mails

    async def take_tasks(self, records: Sequence[ConsumerRecord]) -> None:
        async with self.unit_of_work() as uow:
            fresh = await uow.claim(records)
            read = [dead_letters.read_as(TaskEvent, record, refused_by=self.consumer) for record in fresh]
            # Same transaction as the batch: a record is dead-lettered exactly when the rest is applied.
            uow.publish(letter for letter in read if not isinstance(letter, TaskEvent))
            events = mailed(e for e in read if isinstance(e, TaskEvent))
            plan = plan_mails(events, await self._recipients(uow.repository, events), self.composer)
            added = await uow.repository.add_mails(plan.mails)
        # After the commit: a batch rolled back and retried is reported once.
        _report(plan, added, records=len(fresh))
        if added:
            self.on_new_mails()

    async def _recipients(self, repository: NotifierRepository, events: list[TaskEvent]) -> dict[str, Recipient]:
        """Office users, then the contacts of the items' own clients, then (for anyone left) everyone's."""
        if not events:
            return {}
        destinations = await repository.parties({e.organisation_person_id for e in events})
        known = {**portal_contacts(destinations.values()), **self.office}
        if {a for e in events for a in e.assignees} - known.keys():
            known = {**portal_contacts(await repository.all_parties()), **known}
        return known


def _report(plan: MailPlan, added: int, *, records: int) -> None:
    for event, user in plan.unknown:
        metrics.UNKNOWN_RECIPIENTS.inc()
        log.warning(
            "assignee has no known e-mail address; no mail sent",
            user=user,
            task=event.task,
            dossier_item_id=event.dossier_item_id,
            event_id=event.event_id,
        )
    metrics.MAILS_QUEUED.inc(added)
    if records:
        log.info("task events applied", records=records, mails=added, already_stored=len(plan.mails) - added)
