"""`accordeer act`: check an action against the item's workflow, send it, and wait until workflow has decided it.

Workflow records each action id it decides in workflow.applied_actions ("applied" or "refused") in the same
transaction as its events, so that row is the outcome. The reason for a refusal travels on Kafka: on
messages.status (with a reason_code) while the item is at 20 or 30, later on workflow.actions.dlq; both are
followed from before the action is sent.
"""

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass

from accordeer.items import ItemRow, resolve_item
from accordeer.kafka_io import follow_status, publish
from services.workflow.domain.definition import REASSIGN_ACTION, RESTORE_ACTION, Outcome
from services.workflow.repository import WorkflowRepository
from shared import dead_letters as h
from shared.contracts.actions import WorkflowAction
from shared.contracts.status import StatusEvent
from shared.settings import Settings
from shared.topics import OPERATOR_WRITER, PORTAL_WRITER

OUTCOME = "SELECT outcome FROM workflow.applied_actions WHERE action_id = $1"


@dataclass(frozen=True)
class Decided:
    applied: bool
    text: str


def operator_name(settings: Settings) -> str:
    """Who is at the CLI: the Kafka principal the CLI connects as (``operator``, or a person's own
    ``operator.<name>``), which alone may write its actions topic on a secure broker. Never a name the environment
    merely claims: workflow audits the writer of the topic the action came on."""
    return settings.kafka_username or OPERATOR_WRITER


def audited_who(row: Mapping) -> str:
    """An audit row's "who": "OPERATOR on behalf of ACTOR" for an action sent with `act --as` (the operator's
    principal: operator, or operator.<name>), "ACTOR via the portal" for a click there, the actor alone for the
    system's own moves."""
    if operator := row.get("operator"):
        return f"{operator} on behalf of {row['actor']}"
    if row.get("writer") == PORTAL_WRITER:
        return f"{row['actor']} via the portal"
    return str(row["actor"])


async def problem_with(conn, item: ItemRow, task: str, action: str) -> str | None:
    """Why workflow would refuse ``action`` on ``task`` whoever sent it, or None; the actor is workflow's to judge."""
    repository = WorkflowRepository(conn)
    instance = await repository.instance(item.id, for_update=False)
    if instance is None:  # intake has the item, workflow has not taken it in (yet)
        return f"dossier item {item.id} is not in a workflow yet ({item.describe_status()}), so it has no task"
    state = instance.state
    if state is None:
        return f"dossier item {item.id} is not in a workflow yet (20: it waits for a route), so it has no task"
    if action == RESTORE_ACTION:
        if state.outcome is not Outcome.REJECTED:
            return f"only a rejected message can be restored; dossier item {item.id} is {item.describe_status()}"
        if task != state.rejected_from_task:
            return f"dossier item {item.id} was rejected in task '{state.rejected_from_task}'; restore it there"
        return None
    if not state.running:
        return f"the workflow of dossier item {item.id} has ended ({item.describe_status()}); it has no task"
    if task != state.current_task:
        return f"'{task}' is not the current task of dossier item {item.id}; the current task is '{state.current_task}'"
    assert instance.publication_id is not None, "a workflow state is stored with the publication it runs under"
    definition = (await repository.publication(instance.publication_id)).workflows[state.workflow]
    current = definition.task(task)
    assert current is not None, f"the current task '{task}' is a task of its workflow '{state.workflow}'"
    names = [a.name for a in current.actions] + [REASSIGN_ACTION]
    if action not in names:
        return f"task '{task}' has no action '{action}'; its actions are: {', '.join(names)}"
    return None


async def earlier_outcome(conn, action_id: str) -> Decided | None:
    outcome = await conn.fetchval(OUTCOME, action_id)
    return (
        None
        if outcome is None
        else Decided(outcome == "applied", f"action id {action_id} was already {outcome}; nothing was sent")
    )


async def send(settings: Settings, message: WorkflowAction) -> None:
    await publish(
        settings.kafka_bootstrap_servers,
        settings.topics.actions_from(operator_name(settings)),
        [(message.dossier_item_id, message.model_dump_json().encode())],
    )


async def send_and_wait(conn, settings: Settings, message: WorkflowAction, wait: float) -> Decided | None:
    """The outcome, or None when workflow has not decided within ``wait`` seconds."""
    topics = settings.topics
    loop = asyncio.get_running_loop()
    async with follow_status(
        settings.kafka_bootstrap_servers, topics.status, also={topics.workflow_actions_dlq: None}
    ) as follower:
        await send(settings, message)
        deadline, reason, outcome = loop.time() + wait, None, None
        while (left := deadline - loop.time()) > 0:
            async for event in follower.events(min(left, 1.0)):
                reason = reason or refusal_reason(event, message)
            outcome = await conn.fetchval(OUTCOME, message.action_id)
            if outcome == "applied":
                now = await resolve_item(conn, message.dossier_item_id)
                return Decided(True, f"applied: dossier item {now.id} is now {now.describe_status()}")
            if outcome == "refused" and reason:
                return Decided(False, f"refused: {reason}")
    if outcome == "refused":
        return Decided(
            False, "refused (the reason did not arrive in time; see `accordeer dlq list --topic workflow-actions`)"
        )
    return None


def refusal_reason(event, message: WorkflowAction) -> str | None:
    """The reason of ``message``'s refusal if ``event`` carries it: a status event or a dead letter."""
    if isinstance(event, StatusEvent):
        ours = f"action '{message.action}' on task '{message.task}' by {message.actor} refused"
        if event.dossier_item_id == message.dossier_item_id and event.reason_code and event.detail.startswith(ours):
            return f"{event.reason_code}: {event.detail}"
        return None
    try:
        action_id = json.loads(event.value).get("action_id")
    except (ValueError, TypeError, AttributeError):
        return None
    if action_id != message.action_id:
        return None
    headers = {k: v.decode(errors="replace") for k, v in event.headers}
    return f"{headers.get(h.REASON_CODE, 'refused')}: {headers.get(h.REASON, '')}"
