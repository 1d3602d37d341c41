"""What a batch of task events amounts to: a mail per event and recipient, and the assignees nobody can mail.

Pure: the recipients known (office users and the directory's portal users) and
the composer are given; nothing is read or written here.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from services.notifier.composing import MAILED_KINDS, MailComposer, NewMail
from services.notifier.recipients import Recipient, resolve
from shared.contracts.tasks import TaskEvent


@dataclass
class MailPlan:
    mails: list[NewMail] = field(default_factory=list)
    unknown: list[tuple[TaskEvent, str]] = field(default_factory=list)
    """(event, user id) for each assignee with no known e-mail address."""


def mailed(events: Iterable[TaskEvent]) -> list[TaskEvent]:
    """The events that give a task to someone (created, reassigned, escalated)."""
    return [event for event in events if event.kind in MAILED_KINDS]


def plan_mails(events: Iterable[TaskEvent], known: Mapping[str, Recipient], composer: MailComposer) -> MailPlan:
    plan = MailPlan()
    for event in mailed(events):
        recipients, unknown = resolve(event.added, known)  # who already held the task had their mail
        plan.mails += [composer.compose(event, recipient) for recipient in recipients]
        plan.unknown += [(event, user) for user in unknown]
    return plan
