"""The notifier's consuming side in memory, behind the same unit of work as PostgreSQL: its copy of the directory
and the mails table, for fast tests of ``Notifier.take_tasks``."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from aiokafka import ConsumerRecord

from services.notifier.composing import NewMail
from shared.contracts.directory import Party
from shared.contracts.tasks import TaskEvent
from shared.topics import Topics
from tests.support.records import consumer_record
from tests.support.unit_of_work import InMemoryUnitOfWork, Tables

TOPICS = Topics()


@dataclass
class NotifierTables(Tables):
    parties: dict[str, Party] = field(default_factory=dict)
    """The current parties of the directory copy (a removed one is not here)."""
    mails: list[NewMail] = field(default_factory=list)
    everyone_read: int = 0
    """How often the whole directory was read."""

    def units_of_work(self):
        return lambda: InMemoryUnitOfWork(self, InMemoryNotifierRepository)

    def mailed(self) -> list[tuple[str, str, str]]:
        """(event id, recipient, address) of each stored mail, in the order stored."""
        return [(m.event_id, m.recipient, m.address) for m in self.mails]


class InMemoryNotifierRepository:
    """What ``PostgresNotifierRepository`` does, on ``NotifierTables``: a mail is refused (not counted) when its
    (event, recipient) or its Message-ID is stored already, as ``ON CONFLICT DO NOTHING`` does for either unique key,
    within one call too."""

    def __init__(self, tables: NotifierTables):
        self.tables = tables

    async def parties(self, ids: Iterable[str]) -> dict[str, Party]:
        return {i: self.tables.parties[i] for i in sorted(set(ids)) if i in self.tables.parties}

    async def all_parties(self) -> list[Party]:
        self.tables.everyone_read += 1
        return [self.tables.parties[i] for i in sorted(self.tables.parties)]

    async def add_mails(self, mails: Sequence[NewMail]) -> int:
        added = 0
        for mail in mails:
            if any((m.event_id, m.recipient) == (mail.event_id, mail.recipient) for m in self.tables.mails) or any(
                m.message_id == mail.message_id for m in self.tables.mails
            ):
                continue
            self.tables.mails.append(mail)
            added += 1
        return added


def record(event: TaskEvent) -> ConsumerRecord:
    """The event as the notifier receives it on workflow.tasks, at a fresh offset."""
    return consumer_record(TOPICS.tasks, event.dossier_item_id, event.model_dump_json().encode())
