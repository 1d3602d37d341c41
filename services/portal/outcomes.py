"""What became of an action a person sent from the portal: sent once however often its form arrives, and its true
outcome (done, refused and why, or still being handled) for the page that stays on the item.

Each task page's form carries an action id made when the page was shown; the portal keeps the ids it sent
(``portal.sent_actions``) in the transaction that writes the action to its outbox. A form sent again (a double
click, Back and send) finds its id there: nothing is sent twice, and it is answered with the first one's outcome.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from asyncpg.pool import PoolConnectionProxy

from shared.contracts.actions import WorkflowAction
from shared.db import outbox
from shared.db.outbox import OutboxRecord

PARAMETER = "uitkomst"
"""The task page's query parameter naming the action whose outcome it shows."""


@dataclass(frozen=True)
class SentAction:
    action_id: str
    dossier_item_id: str
    actor: str
    action: str
    sent_at: datetime

    def of(self, user: str, dossier_item_id: str) -> bool:
        """Sent by ``user`` on that item: only they are shown its outcome."""
        return (self.actor, self.dossier_item_id) == (user, dossier_item_id)


class State(StrEnum):
    DONE = "done"
    REFUSED = "refused"
    PENDING = "pending"


@dataclass(frozen=True)
class Outcome:
    sent: SentAction
    state: State
    reason: str = ""
    """Why workflow refused it (its words), for a refusal."""


def action_id_from(text: object) -> str:
    """The form's action id when it is one, else a new one (a form from before ids were sent)."""
    try:
        return str(uuid.UUID(str(text)))
    except ValueError:
        return str(uuid.uuid4())


async def send_once(conn: PoolConnectionProxy, action: WorkflowAction, topic: str) -> SentAction:
    """Write ``action`` to the portal's outbox unless its id was sent before; either way, the action as first sent.
    Two forms with one id at once: the second waits for the first's row and sends nothing."""
    async with conn.transaction():
        row = await conn.fetchrow(
            "INSERT INTO portal.sent_actions (action_id, dossier_item_id, actor, action) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (action_id) DO NOTHING RETURNING *",
            action.action_id,
            action.dossier_item_id,
            action.actor,
            action.action,
        )
        if row is not None:
            await outbox.append(conn, "portal", [OutboxRecord.of(topic, action.dossier_item_id, action)])
    first = await sent_action(conn, action.action_id)
    assert first is not None  # inserted above, or by the form that came first; never deleted
    return first


async def sent_action(conn: PoolConnectionProxy, action_id: str) -> SentAction | None:
    row = await conn.fetchrow("SELECT * FROM portal.sent_actions WHERE action_id = $1", action_id)
    if row is None:
        return None
    return SentAction(
        action_id=str(row["action_id"]),
        dossier_item_id=str(row["dossier_item_id"]),
        actor=row["actor"],
        action=row["action"],
        sent_at=row["sent_at"],
    )


async def outcome_of(conn: PoolConnectionProxy, sent: SentAction) -> Outcome:
    """Done when the item's history has the actor's action since it was sent; refused when workflow reported why
    on the item's status; pending until either is in the read model."""
    done = await conn.fetchval(
        "SELECT 1 FROM portal.history WHERE dossier_item_id = $1 AND kind LIKE 'task %' AND actor = $2"
        " AND action = $3 AND at >= $4",
        sent.dossier_item_id,
        sent.actor,
        sent.action,
        sent.sent_at,
    )
    if done:
        return Outcome(sent, State.DONE)
    # Workflow reports a refusal as "action 'A' on task 'T' by U refused: why" on the item's status.
    refused: str | None = await conn.fetchval(
        "SELECT text FROM portal.history WHERE dossier_item_id = $1 AND kind = 'status' AND at >= $2"
        " AND text LIKE $3 ORDER BY at DESC LIMIT 1",
        sent.dossier_item_id,
        sent.sent_at,
        f"action '{sent.action}' % by {sent.actor} refused:%",
    )
    if refused:
        return Outcome(sent, State.REFUSED, refused.split(" refused: ", 1)[1])
    return Outcome(sent, State.PENDING)
