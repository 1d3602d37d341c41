"""From a task event and a recipient to a mail: the template's variables, the rendering, a stable Message-ID.

A confidential item's mail says only that there is a task and where it is:
its subject, message type and summary never reach the template, whatever the
template asks for.
"""

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import quote
from uuid import NAMESPACE_URL, uuid5

from services.notifier.recipients import Recipient
from services.notifier.templates import MailTemplates
from shared import dutch
from shared.contracts.summary import DeclarationSummary
from shared.contracts.tasks import TaskEvent, TaskEventKind

KIND_TEXT = {
    TaskEventKind.CREATED: "nieuwe taak",
    TaskEventKind.REASSIGNED: "taak aan u toegewezen",
    TaskEventKind.ESCALATED: "geëscaleerd",
}
MAILED_KINDS = frozenset(KIND_TEXT)
"""The events that give a task to someone; completed and cancelled ones send no mail."""


@dataclass(frozen=True)
class SummaryText:
    """The summary as the mail shows it; a field the declaration does not fill is None."""

    period: str | None
    amount: str | None
    direction: str | None
    payment_deadline: str | None
    identity_number: str
    financial_year: str | None


@dataclass(frozen=True)
class NewMail:
    event_id: str
    recipient: str
    dossier_item_id: str
    recipient_name: str
    address: str
    subject: str
    body: str
    message_id: str


def message_id(event_id: str, recipient: str, domain: str) -> str:
    """The same event and recipient always give the same Message-ID, so a mail store can drop a repeat."""
    return f"<{uuid5(NAMESPACE_URL, f'accordeer-mail:{event_id}:{recipient}')}@{domain}>"


def summary_text(summary: DeclarationSummary) -> SummaryText:
    return SummaryText(
        period=dutch.period(summary.period_from, summary.period_to),
        amount=dutch.amount(summary.amount, summary.currency) if summary.amount is not None else None,
        direction=dutch.direction(summary.direction),
        payment_deadline=dutch.day(summary.payment_deadline) if summary.payment_deadline else None,
        identity_number=summary.identity_number,
        financial_year=summary.financial_year,
    )


class MailComposer:
    def __init__(self, templates: MailTemplates, *, portal_url: str, message_id_domain: str):
        self.templates = templates
        self.portal_url = portal_url.rstrip("/")
        self.message_id_domain = message_id_domain

    def compose(self, event: TaskEvent, recipient: Recipient) -> NewMail:
        rendered = self.templates.render(event.workflow, event.task, self.variables(event, recipient))
        return NewMail(
            event.event_id,
            recipient.user_id,
            event.dossier_item_id,
            recipient.name,
            recipient.email,
            rendered.subject,
            rendered.body,
            message_id(event.event_id, recipient.user_id, self.message_id_domain),
        )

    def variables(self, event: TaskEvent, recipient: Recipient) -> dict[str, object]:
        hidden = event.confidential
        summary = summary_text(event.summary) if event.summary and not hidden else None
        return {
            "recipient_name": _one_line(recipient.name),
            "task": _one_line(event.task),
            "workflow": _one_line(event.workflow),
            "kind": KIND_TEXT[event.kind],
            "kind_code": str(event.kind),
            "confidential": hidden,
            "subject": None if hidden else _one_line(event.subject),
            "message_type": None if hidden else event.message_type,
            "summary": asdict(summary) if summary else None,
            "due": dutch.moment(event.due_at) if event.due_at else None,
            "link": f"{self.portal_url}/taken/{quote(event.dossier_item_id)}",
        }

    def check(self) -> None:
        """Render every template with a plain and a confidential sample: a broken template stops the start."""
        samples = [
            self.variables(_sample(confidential), Recipient("u", "Naam", "u@example.org"))
            for confidential in (False, True)
        ]
        self.templates.check(samples)


def _one_line(text: str) -> str:
    """Data never add lines to a mail: a newline in a subject would otherwise end the subject line."""
    return " ".join(text.split())


def _sample(confidential: bool) -> TaskEvent:
    summary = DeclarationSummary(
        message_type="btw-aangifte",
        period_from=date(2025, 1, 1),
        period_to=date(2025, 3, 31),
        amount=Decimal("1523.45"),
        currency="EUR",
        direction="payable",
        payment_deadline=date(2025, 4, 30),
        identity_number="NL001234567B01",
        identity_type="BTW",
    )
    return TaskEvent(
        event_id="sample",
        kind=TaskEventKind.CREATED,
        dossier_item_id="sample",
        message_id="m",
        source="s",
        message_type="btw-aangifte",
        organisation_person_id="ORG",
        workflow="standard",
        task="Beoordelen aangifte klant",
        subject="Aangifte omzetbelasting",
        confidential=confidential,
        summary=summary,
        due_at=datetime(2025, 4, 3, 7, tzinfo=UTC),
        occurred_at=datetime.now(UTC),
    )
