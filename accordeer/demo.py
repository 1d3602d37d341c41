"""The demo of `make run`: sample declarations go in, each client approves theirs (all but one), statuses are shown.

The demo plays each client: when a client task is created on workflow.tasks it
acts as the first of the task's assignees (a destination's portal user).
"""

import asyncio
import json
import time
from pathlib import Path

from accordeer.kafka_io import follow_status, publish
from shared.contracts.actions import WorkflowAction
from shared.contracts.inbound import EXAMPLES_DIR
from shared.contracts.status import StatusCode, StatusEvent
from shared.contracts.tasks import TaskEvent, TaskEventKind
from shared.settings import Settings

CLIENT_TASK = "Beoordelen aangifte klant"
REJECTED_SAMPLE = "kvk_stukken"
FINAL = {StatusCode.ACCEPTED_BY_AUTHORITY, StatusCode.DECLINED_BY_AUTHORITY, StatusCode.REJECTED}


def samples(run_id: str) -> dict[str, dict]:
    """The golden examples, each with a message id unique to this run."""
    documents = {}
    for path in sorted(Path(EXAMPLES_DIR).glob("inbound_*.json")):
        name = path.stem.removeprefix("inbound_")
        document = json.loads(path.read_text())
        document["message_id"] = f"demo-{run_id}-{name}"
        documents[name] = document
    return documents


async def run_demo(settings: Settings, *, timeout: float = 180, say=print) -> dict[str, int]:
    """Returns the last status code per dossier item of this run's own declarations."""
    run_id = time.strftime("%Y%m%d-%H%M%S")
    documents = samples(run_id)
    reject = {documents[REJECTED_SAMPLE]["message_id"]}
    ours = {d["message_id"] for d in documents.values()}
    last: dict[str, int] = {}
    acted: set[str] = set()
    async with follow_status(
        settings.kafka_bootstrap_servers, settings.topics.status, also={settings.topics.tasks: TaskEvent}
    ) as follower:
        await publish(
            settings.kafka_bootstrap_servers,
            settings.topics.inbound,
            [(d["message_id"], json.dumps(d).encode()) for d in documents.values()],
        )
        say(
            f"demo: submitted {len(documents)} sample declarations; each client approves theirs but "
            f"{documents[REJECTED_SAMPLE]['message_id']}"
        )
        async for event in follower.events(timeout):
            if event.message_id not in ours:  # other traffic on the topics (another demo, a person's submit)
                continue
            if isinstance(event, TaskEvent):
                if _client_task_created(event) and event.dossier_item_id not in acted:
                    acted.add(event.dossier_item_id)
                    await _act_as_client(settings, event, reject=event.message_id in reject)
                continue
            say(_line(event))
            if event.dossier_item_id:
                last[event.dossier_item_id] = int(event.status_code)
            if acted and all(code in FINAL for code in last.values()) and len(last) >= _item_count(documents):
                break
    return last


def _item_count(documents: dict[str, dict]) -> int:
    return sum(len(d["destinations"]) for d in documents.values())


def _client_task_created(event: TaskEvent) -> bool:
    return event.kind is TaskEventKind.CREATED and event.task == CLIENT_TASK and bool(event.assignees)


async def _act_as_client(settings: Settings, event: TaskEvent, *, reject: bool) -> None:
    action = WorkflowAction(
        action_id=f"demo-{event.dossier_item_id}",
        dossier_item_id=event.dossier_item_id,
        task=CLIENT_TASK,
        action="Afkeuren bericht" if reject else "Goedkeuren bericht",
        actor=event.assignees[0],
        comment="Het bedrag klopt niet" if reject else "Akkoord",
    )
    await asyncio.sleep(0.5)  # a person takes a moment; it also keeps the demo readable
    await publish(
        settings.kafka_bootstrap_servers,
        settings.topics.portal_actions,  # the demo's clients click in the portal
        [(action.dossier_item_id, action.model_dump_json().encode())],
    )


def _line(event: StatusEvent) -> str:
    item = (event.dossier_item_id or "-")[:8]
    authority = f" [{event.authority_status_code}]" if event.authority_status_code else ""
    return f"  {event.message_id:<40} {item:<8} {int(event.status_code):>3} {event.status}{authority}: {event.detail}"
