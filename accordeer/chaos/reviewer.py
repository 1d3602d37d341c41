"""The chaos run's people: act on every task that opens on workflow.tasks, as one of its assignees.

The choice per message comes from `workload.decision`: approve, reject, or react first (the office then puts
it to the client again, who approves). Action ids are derived from the task event, so an event read twice
acts once.
"""

from dataclasses import dataclass, field

from accordeer.chaos.workload import REACT, REJECT, decision
from shared.contracts.actions import WorkflowAction
from shared.contracts.tasks import TaskEvent, TaskEventKind

CLIENT_TASK = "Beoordelen aangifte klant"
OFFICE_TASK = "Beoordelen reactie van klant"


@dataclass
class Reviewer:
    """Turns task events into actions; ``decide`` is pure, the caller publishes what it returns."""

    acted: set[str] = field(default_factory=set)
    reacted: set[str] = field(default_factory=set)
    """Items whose client has reacted once already (the second time they approve)."""

    def decide(self, event: TaskEvent) -> WorkflowAction | None:
        if event.kind not in (TaskEventKind.CREATED, TaskEventKind.REASSIGNED, TaskEventKind.ESCALATED):
            return None
        if event.event_id in self.acted:
            return None
        self.acted.add(event.event_id)
        actor = event.assignees[0] if event.assignees else event.task_manager
        if actor is None:
            return None
        if event.task == OFFICE_TASK:
            action, comment = "Opnieuw voorleggen aan klant", "Toegelicht; graag opnieuw beoordelen"
        else:
            choice = decision(event.message_id)
            if choice == REACT and event.dossier_item_id not in self.reacted:
                self.reacted.add(event.dossier_item_id)
                action, comment = "Reageren", "Klopt het bedrag?"
            elif choice == REJECT:
                action, comment = "Afkeuren bericht", "Het bedrag klopt niet"
            else:
                action, comment = "Goedkeuren bericht", "Akkoord"
        return WorkflowAction(
            action_id=f"chaos-{event.event_id}",
            dossier_item_id=event.dossier_item_id,
            task=event.task,
            action=action,
            actor=actor,
            comment=comment,
        )
