"""Routing dossier items into their workflows: each item is started in the workflow its message type's first
matching rule names, or left waiting at 20 with the reason. Used when items arrive and when a publication routes
the items that were waiting."""

from collections.abc import Sequence
from datetime import datetime

from services.workflow.domain import Directory, choose_workflow, escalation_due, start
from services.workflow.records import status_records
from services.workflow.repository import AuditEntry, Instance, PublishedConfig, StateChange, WorkflowRepository
from services.workflow.tasks import TaskEvents
from shared.contracts.status import StatusCode
from shared.db.outbox import OutboxRecord
from shared.topics import Topics

SYSTEM_ACTOR = "accordeer"
START_ACTION = "Workflow gestart"
ARRIVAL = "arrival"
"""The cause of the events of an item routed as it arrives: an item arrives once."""


async def task_events(
    repository: WorkflowRepository, topics: Topics, config: PublishedConfig | None, instances: Sequence[Instance]
) -> TaskEvents:
    """Task events for these instances, with their destinations read once for all."""
    parties = await repository.parties({i.item["organisation_person_id"] for i in instances})
    return TaskEvents(topics, config.directory if config else Directory(), parties)


async def route(
    repository: WorkflowRepository,
    tasks: TaskEvents,
    instances: Sequence[Instance],
    config: PublishedConfig | None,
    *,
    now: datetime,
    cause: str,
) -> list[OutboxRecord]:
    """Start each item's workflow, or leave it waiting at 20 with the reason; the rows of all in a few statements.
    ``cause``: why they are routed now (their arrival, a publication), the same when done again after a restore."""
    topics = tasks.topics
    events: list[OutboxRecord] = []
    waiting: list[tuple[str, str]] = []
    started: list[StateChange] = []
    audits: list[AuditEntry] = []
    for instance in instances:
        name = choose_workflow(config.routes, instance.message_type, instance.characteristics) if config else None
        if config is None or name is None:
            detail = f"no route for message type {instance.message_type}"
            waiting.append((instance.dossier_item_id, detail))
            events += status_records(topics, instance, StatusCode.PROCESSING, detail, at=now, cause=cause)
            continue
        state = start(config.workflows[name], config.id)
        detail = f"workflow {name}, task {state.current_task}"
        started.append(
            StateChange(
                instance.dossier_item_id,
                state,
                int(StatusCode.IN_WORKFLOW),
                detail,
                config.id,
                task_started_at=now,
                task_due_at=escalation_due(config.workflows[name], state, now),
            )
        )
        audits.append(
            AuditEntry(
                instance.dossier_item_id,
                actor=SYSTEM_ACTOR,
                action=START_ACTION,
                action_id=None,
                from_task=None,
                to_task=state.current_task,
                from_status=instance.status_code,
                to_status=int(StatusCode.IN_WORKFLOW),
                comment="",
                workflow_name=name,
                publication_id=config.id,
                at=now,
            )
        )
        events += [
            *status_records(topics, instance, StatusCode.IN_WORKFLOW, detail, at=now, cause=cause),
            tasks.opened(instance, config.workflows[name], state, at=now, cause=cause),
        ]
    await repository.set_waiting(waiting)
    await repository.save_states(started)
    await repository.audit(audits)
    return events
