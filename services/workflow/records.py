"""What the workflow service writes to its outbox: status events, approved messages, and how it describes a move."""

from datetime import UTC, datetime

from services.workflow.domain import Outcome, Transition
from services.workflow.repository import Instance
from shared import reports
from shared.contracts.approved import MessageApproved
from shared.contracts.items import DossierItemCreated
from shared.contracts.record import READ_BACK
from shared.contracts.status import StatusCode, StatusEvent
from shared.db.outbox import OutboxRecord
from shared.topics import Topics


def utc_now() -> datetime:
    """The default clock; use cases take a clock so that tests can move time."""
    return datetime.now(UTC)


def status_records(
    topics: Topics,
    instance: Instance,
    code: StatusCode,
    detail: str,
    *,
    at: datetime,
    cause: str | None = None,
    **fields: object,
) -> list[OutboxRecord]:
    """``cause``: as for ``StatusEvent.of``."""
    event = StatusEvent.of(
        code,
        message_id=instance.message_id,
        source=instance.source,
        dossier_item_id=instance.dossier_item_id,
        occurred_at=at,
        cause=cause,
        detail=detail,
        **fields,
    )
    return reports.status_records(topics, event)


def approved_record(topics: Topics, instance: Instance, *, approved_by: str, at: datetime) -> OutboxRecord:
    item = DossierItemCreated.model_validate(instance.item, context=READ_BACK)
    message = MessageApproved(
        dossier_item_id=item.dossier_item_id,
        message_id=item.message_id,
        source=item.source,
        message_type=item.message_type,
        identity=item.identity,
        document=item.document,
        approved_by=approved_by,
        approved_at=at,
    )
    return OutboxRecord.of(topics.approved, item.dossier_item_id, message, lane_key=item.message_id)


def describe(transition: Transition) -> str:
    """The status detail of an accepted action, e.g. "Reageren by klant; task Beoordelen reactie van klant".
    A rejection carries its reason, for the external application: "...; rejected: het bedrag klopt niet"."""
    where = f"task {transition.to_task}" if transition.to_task else f"{transition.outcome}"
    assigned = f", assigned to {', '.join(transition.assignees)}" if transition.assignees else ""
    reason = f": {transition.comment}" if transition.outcome is Outcome.REJECTED and transition.comment else ""
    return f"{transition.action} by {transition.actor}; {where}{assigned}{reason}"


def audit_comment(transition: Transition) -> str:
    """The person's comment; for a reassignment also who the task went to, as the trail has no other place for it."""
    if not transition.assignees:
        return transition.comment
    return "; ".join(filter(None, [transition.comment, f"assigned to {', '.join(transition.assignees)}"]))
