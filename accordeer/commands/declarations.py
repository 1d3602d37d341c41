"""Commands for declarations and their items: submit, act on a task, read the audit trail."""

import asyncio
import json
import uuid
from pathlib import Path
from typing import Annotated

import typer

from accordeer.commands.common import app, friendly, on_database
from shared.settings import Settings


@app.command()
@friendly
def submit(
    files: Annotated[list[Path], typer.Argument(help="Declaration JSON files, or XBRL/XML files to wrap.")],
    wait: Annotated[float, typer.Option(help="Seconds to wait for each message's outcome; 0: don't wait.")] = 0,
    source: Annotated[str | None, typer.Option(help="XML only: the external package's id.")] = None,
    message_type: Annotated[str | None, typer.Option(help="XML only: e.g. btw-aangifte.")] = None,
    subject: Annotated[str | None, typer.Option(help="XML only.")] = None,
    destination: Annotated[list[str], typer.Option(help="XML only: ORGANISATION[:CONTACT], repeatable.")] = [],
    identity: Annotated[str | None, typer.Option(help="XML only: NUMBER:TYPE, e.g. NL001234567B01:BTW.")] = None,
    message_id: Annotated[str | None, typer.Option(help="XML only: default: the file name and a random suffix.")] = None,
    submitter: Annotated[str | None, typer.Option(help="XML only: default: the source's service user.")] = None,
) -> None:
    """Publish declarations to declarations.inbound, as an external package would."""
    from accordeer.submitting import Wrapping, submit_files

    wrapping = Wrapping(source=source, message_type=message_type, subject=subject, destinations=tuple(destination),
                        identity=identity, message_id=message_id, submitter=submitter)
    ok = asyncio.run(submit_files(Settings(), files, wait=wait, wrapping=wrapping, say=typer.echo))
    raise typer.Exit(0 if ok else 1)


@app.command()
@friendly
def act(
    item: Annotated[str, typer.Argument(help="Dossier item id.")],
    task: Annotated[str, typer.Argument(help="The current task, e.g. 'Beoordelen aangifte klant'.")],
    action: Annotated[str, typer.Argument(help="e.g. 'Goedkeuren bericht' or 'Afkeuren bericht'.")],
    actor: Annotated[str, typer.Option("--as", help="Who acts.")],
    comment: Annotated[str, typer.Option(help="Comment for the audit trail.")] = "",
    assignee: Annotated[list[str], typer.Option(help="For 'Taak toewijzen': the new assignee(s).")] = [],
    action_id: Annotated[str, typer.Option(help="Idempotency key; a new one by default.")] = "",
) -> None:
    """Act on a dossier item's task (published to workflow.actions)."""
    from accordeer.kafka_io import publish
    from shared.contracts.actions import WorkflowAction

    settings = Settings()
    message = WorkflowAction(action_id=action_id or str(uuid.uuid4()), dossier_item_id=item, task=task,
                             action=action, actor=actor, comment=comment, assignees=assignee)
    asyncio.run(publish(settings.kafka_bootstrap_servers, settings.topics.workflow_actions,
                        [(item, message.model_dump_json().encode())]))
    typer.echo(f"sent action {message.action_id}; follow it with `accordeer history {item}`")


@app.command()
@friendly
def history(item: Annotated[str, typer.Argument(help="Dossier item id.")],
            as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """What the client approves (the summary) and the audit trail of a dossier item: who, when, from, to, action,
    comment, workflow version."""
    from accordeer.summary_text import summary_line
    from services.workflow.repository import WorkflowRepository

    async def read(conn):
        repository = WorkflowRepository(conn)
        return await repository.summary(item), await repository.history(item)

    summary, rows = on_database(read)
    if as_json:
        typer.echo(json.dumps({"summary": summary.model_dump(mode="json") if summary else None, "history": rows},
                              default=str, indent=2))
        return
    if not rows:
        typer.echo(f"no history for dossier item {item}")
        raise typer.Exit(1)
    if summary:
        typer.echo(summary_line(summary))
    for r in rows:
        move = f"{r['from_task'] or '-'} → {r['to_task'] or '-'}"
        typer.echo(f"{r['at']:%Y-%m-%d %H:%M:%S}  {r['actor']:<14} {r['action']:<26} {move:<60} "
                   f"{r['from_status'] or '':>2}→{r['to_status']}  v{r['publication_id']} {r['comment']}")
