"""Task events on ``workflow.tasks``: who holds which task of an item, written to the outbox with the state.

``TaskEvents`` is built per batch with the directory entries of its items, so
an item's ``@destination`` resolves to its client's portal users as the
directory knows them when the task starts.
"""

from collections.abc import Mapping
from datetime import datetime

from services.workflow.domain import Destination, Directory, InstanceState, WorkflowDefinition, assign, deadline
from services.workflow.repository import Instance
from shared.contracts.directory import Party
from shared.contracts.tasks import TaskEvent, TaskEventKind
from shared.db.outbox import OutboxRecord
from shared.topics import Topics


def destination_of(instance: Instance, parties: Mapping[str, Party]) -> Destination:
    organisation_person_id = instance.item["organisation_person_id"]
    contact_id = instance.item.get("contact_id")
    party = parties.get(organisation_person_id)
    if party is None:
        return Destination(organisation_person_id, contact_id, (), known=False)
    return Destination(organisation_person_id, contact_id, party.portal_users(contact_id))


class TaskEvents:
    def __init__(self, topics: Topics, directory: Directory, parties: Mapping[str, Party]):
        self.topics = topics
        self.directory = directory
        self.parties = parties

    def directory_for(self, instance: Instance) -> Directory:
        """The directory with ``@destination`` bound to this item's client."""
        return self.directory.with_destination(destination_of(instance, self.parties).portal_users)

    def opened(
        self,
        instance: Instance,
        definition: WorkflowDefinition,
        state: InstanceState,
        *,
        at: datetime,
        kind: TaskEventKind = TaskEventKind.CREATED,
        before: InstanceState | None = None,
        started_at: datetime | None = None,
        actor: str | None = None,
        action: str | None = None,
        operator: str | None = None,
        cause: str | None = None,
    ) -> OutboxRecord:
        """The current task was created, or moved from ``before`` by reassignment or escalation: who holds it now,
        who of them is new to it, and until when (its deadline counts from ``started_at``, by default now).
        ``actor`` and ``action``: what opened it, when a person's action did; ``operator``: who took that action on
        the actor's behalf, if someone did; ``cause``: as for ``StatusEvent.of``."""
        task = state.current_task
        assert task is not None, "only a running instance has a task to hold"
        destination = destination_of(instance, self.parties)
        assignment = assign(definition, state, task, self.directory, destination)
        held = assign(definition, before, task, self.directory, destination).users if before else ()
        limit = deadline(definition, task)
        definition_task = definition.task(task)
        assert definition_task is not None, "an instance's task is one of its workflow's"
        actions = [action.name for action in definition_task.actions]
        return self._record(
            instance,
            kind,
            task,
            state.workflow,
            at,
            assignees=list(assignment.users),
            actions=actions,
            added=[u for u in assignment.users if u not in held],
            assignment_note=assignment.note,
            task_manager=definition.task_manager,
            due_at=(started_at or at) + limit if limit else None,
            actor=actor,
            action=action,
            operator=operator,
            cause=cause,
        )

    def completed(
        self,
        instance: Instance,
        definition: WorkflowDefinition,
        task: str,
        *,
        actor: str,
        action: str,
        comment: str,
        at: datetime,
        operator: str | None = None,
        cause: str | None = None,
    ) -> OutboxRecord:
        return self._record(
            instance,
            TaskEventKind.COMPLETED,
            task,
            definition.name,
            at,
            actor=actor,
            action=action,
            operator=operator,
            comment=comment,
            task_manager=definition.task_manager,
            cause=cause,
        )

    def _record(
        self,
        instance: Instance,
        kind: TaskEventKind,
        task: str,
        workflow: str,
        at: datetime,
        *,
        cause: str | None,
        **fields: object,
    ) -> OutboxRecord:
        item = instance.item
        event = TaskEvent.of(
            kind,
            dossier_item_id=instance.dossier_item_id,
            task=task,
            occurred_at=at,
            cause=cause,
            message_id=instance.message_id,
            source=instance.source,
            message_type=instance.message_type,
            organisation_person_id=item["organisation_person_id"],
            workflow=workflow,
            subject=item["subject"],
            confidential=item.get("confidential", False),
            summary=item.get("summary"),
            **fields,
        )
        return OutboxRecord.of(self.topics.tasks, instance.dossier_item_id, event, lane_key=instance.message_id)
