"""Task events and recipients for the notifier's unit tests, as the workflow service publishes them."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from accordeer.paths import REPO_ROOT
from services.notifier.composing import MailComposer
from services.notifier.recipients import Recipient
from services.notifier.templates import MailTemplates
from shared.contracts.summary import DeclarationSummary
from shared.contracts.tasks import TaskEvent, TaskEventKind

SHIPPED_TEMPLATES = REPO_ROOT / "deploy" / "config" / "mail"
SANNE = Recipient("sanne.vandijk", "Sanne van Dijk", "sanne@bakkerijvandijk.example")


def summary(**fields) -> DeclarationSummary:
    values = {
        "message_type": "btw-aangifte",
        "period_from": date(2025, 1, 1),
        "period_to": date(2025, 3, 31),
        "amount": Decimal("1523.45"),
        "currency": "EUR",
        "direction": "payable",
        "payment_deadline": date(2025, 3, 31),
        "identity_number": "NL001234567B01",
        "identity_type": "BTW",
    }
    return DeclarationSummary(**(values | fields))


def task_event(kind: TaskEventKind = TaskEventKind.CREATED, **fields) -> TaskEvent:
    """A task event; unless ``added`` is given, every assignee is new to the task."""
    fields.setdefault("added", fields.get("assignees", ["sanne.vandijk"]))
    values: dict[str, Any] = {  # keyword arguments of any field, as the tests override them; the model checks them
        "dossier_item_id": "6f1c0a52-3b0e-4a55-9d4e-2f5b1c7a9e10",
        "task": "Beoordelen aangifte klant",
        "occurred_at": datetime(2025, 4, 1, 8, 0, tzinfo=UTC),
        "message_id": "m-1",
        "source": "afas-fin",
        "message_type": "btw-aangifte",
        "organisation_person_id": "ORG-10045",
        "workflow": "Belastingdienst",
        "assignees": ["sanne.vandijk"],
        "subject": "Btw-aangifte Q1 2025 Bakkerij Van Dijk",
        "summary": summary(),
        "due_at": datetime(2025, 4, 4, 8, 0, tzinfo=UTC),
    }
    return TaskEvent.of(kind, **(values | fields))


def composer(templates=SHIPPED_TEMPLATES) -> MailComposer:
    return MailComposer(MailTemplates(templates), portal_url="http://portal.example/", message_id_domain="test.local")
