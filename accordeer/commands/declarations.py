"""Commands for declarations and their items: submit, act on a task, read the audit trail."""

import json
import uuid
from pathlib import Path
from typing import Annotated

import typer

from accordeer.commands.common import INTEGRATORS, PEOPLE, app, friendly, on_database
from accordeer.connect import settings_with_database
from shared.db.roles import READER

EXIT_CODES = (
    "Exit codes: 0 done (or nothing to do); 1 refused, with the reason; 2 bad arguments, or Kafka or "
    "PostgreSQL not reachable (nothing was sent); 3 no outcome within --wait seconds."
)
NoWait = Annotated[bool, typer.Option("--no-wait", help="Send and return at once, without waiting for the outcome.")]


@app.command(epilog=EXIT_CODES, rich_help_panel=INTEGRATORS)
@friendly
def submit(
    files: Annotated[list[Path], typer.Argument(help="Declaration JSON files, or XBRL/XML files to wrap.")],
    wait: Annotated[float, typer.Option(min=0.1, help="Seconds to wait for each message's outcome.")] = 60,
    no_wait: NoWait = False,
    source: Annotated[str | None, typer.Option(help="XML only: the external package's id.")] = None,
    message_type: Annotated[str | None, typer.Option(help="XML only: e.g. btw-aangifte.")] = None,
    subject: Annotated[str | None, typer.Option(help="XML only.")] = None,
    destination: Annotated[list[str] | None, typer.Option(help="XML only: ORGANISATION[:CONTACT], repeatable.")] = None,
    identity: Annotated[str | None, typer.Option(help="XML only: NUMBER:TYPE, e.g. NL001234567B01:BTW.")] = None,
    message_id: Annotated[
        str | None, typer.Option(help="XML only: default: the file name and a random suffix.")
    ] = None,
    submitter: Annotated[str | None, typer.Option(help="XML only: default: the source's service user.")] = None,
    source_topic: Annotated[
        bool,
        typer.Option(
            "--source-topic",
            help="Publish each declaration on its source's own topic declarations.from.<source> (as "
            "that source, with its credentials, in secure mode) instead of declarations.inbound.",
        ),
    ] = False,
) -> None:
    """Publish declarations to declarations.inbound (or with --source-topic each to its source's own topic), as an
    external package would, and wait for each outcome.

    Each file is checked first as intake parses it; if one is not a declaration, nothing is published. A message
    already taken in with the same content is reported as such and not sent again.
    """
    from accordeer.declaration_files import Wrapping
    from accordeer.submitting import submit_files

    settings = settings_with_database()
    wrapping = Wrapping(
        source=source,
        message_type=message_type,
        subject=subject,
        destinations=tuple(destination or ()),
        identity=identity,
        message_id=message_id,
        submitter=submitter,
    )
    result = on_database(
        lambda conn: submit_files(
            conn,
            settings,
            files,
            wait=None if no_wait else wait,
            wrapping=wrapping,
            source_topic=source_topic,
            say=typer.echo,
        ),
        settings.database_url,
    )
    raise typer.Exit(int(result))


@app.command(epilog=EXIT_CODES, rich_help_panel=PEOPLE)
@friendly
def act(
    item: Annotated[str, typer.Argument(help="Dossier item id, or its first characters.")],
    task: Annotated[str, typer.Argument(help="The current task, e.g. 'Beoordelen aangifte klant'.")],
    action: Annotated[str, typer.Argument(help="e.g. 'Goedkeuren bericht' or 'Afkeuren bericht'.")],
    actor: Annotated[
        str,
        typer.Option(
            "--as",
            help="On whose behalf: the user whose action this is. You, the "
            "operator (the Kafka principal you connect as: operator, or "
            "your own operator.<name>), are audited with them.",
        ),
    ],
    comment: Annotated[str, typer.Option(help="Comment for the audit trail.")] = "",
    assignee: Annotated[list[str] | None, typer.Option(help="For 'Taak toewijzen': the new assignee(s).")] = None,
    action_id: Annotated[str, typer.Option(help="Idempotency key; a new one by default.")] = "",
    wait: Annotated[float, typer.Option(min=0.1, help="Seconds to wait for workflow's decision.")] = 30,
    no_wait: NoWait = False,
) -> None:
    """Act on a dossier item's current task (published to your own workflow.actions.from.<you>) and wait until
    workflow decides.

    The item, task and action are checked first; whether the actor may act is workflow's decision. The audit
    trail says "operator on behalf of USER" (or your own operator.<name>).
    """
    from accordeer.acting import earlier_outcome, operator_name, problem_with, send, send_and_wait
    from accordeer.items import resolve_item
    from shared.contracts.actions import WorkflowAction

    settings = settings_with_database()

    async def work(conn):
        found = await resolve_item(conn, item)
        if problem := await problem_with(conn, found, task, action):
            raise ValueError(f"{problem}; nothing was sent")
        message = WorkflowAction(
            action_id=action_id or str(uuid.uuid4()),
            dossier_item_id=found.id,
            task=task,
            action=action,
            actor=actor,
            comment=comment,
            assignees=assignee or [],
            operator=operator_name(settings),
        )
        if earlier := await earlier_outcome(conn, message.action_id):
            return earlier
        if no_wait:
            await send(settings, message)
            return f"sent action {message.action_id}; follow it with `accordeer history {found.id[:8]}`"
        return (
            await send_and_wait(conn, settings, message, wait)
            or f"no decision on action {message.action_id} within {wait:.0f}s; see `accordeer history {found.id[:8]}`"
        )

    outcome = on_database(work, settings.database_url)
    if isinstance(outcome, str):
        typer.echo(outcome)
        raise typer.Exit(0 if no_wait else 3)
    typer.echo(outcome.text, err=not outcome.applied)
    raise typer.Exit(0 if outcome.applied else 1)


@app.command(rich_help_panel=PEOPLE)
@friendly
def history(
    item: Annotated[str, typer.Argument(help="Dossier item id, or its first characters.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """What the client approves (the summary) and the audit trail of a dossier item: who, when, from, to, action,
    comment, workflow version, and the statement confirmed with an approval; then every resend of its delivery,
    with who asked for it."""
    from accordeer.acting import audited_who
    from accordeer.items import resolve_item
    from accordeer.summary_text import summary_line
    from services.workflow.repository import WorkflowRepository
    from shared.operations.resends import resends_of

    async def read(conn):
        repository, found = WorkflowRepository(conn), await resolve_item(conn, item)
        history = await repository.history(found.id)
        return found, await repository.summary(found.id), history, await resends_of(conn, found.id)

    found, summary, rows, resends = on_database(read, role=READER)
    if as_json:
        document = {"summary": summary.model_dump(mode="json") if summary else None, "history": rows}
        typer.echo(json.dumps(document | {"resends": resends}, default=str, indent=2))
        return
    if not rows:
        typer.echo(f"dossier item {found.id} has no audit trail yet ({found.describe_status()})")
        return
    if summary:
        typer.echo(summary_line(summary))
    who = max(14, *(len(audited_who(r)) for r in rows), *(len(r["requested_by"]) for r in resends))
    for r in rows:
        move = f"{r['from_task'] or '-'} → {r['to_task'] or '-'}"
        typer.echo(
            f"{r['at']:%Y-%m-%d %H:%M:%S}  {audited_who(r):<{who}} {r['action']:<26} {move:<60} "
            f"{r['from_status'] or '':>2}→{r['to_status']}  v{r['publication_id']} {r['comment']}"
        )
        if r["statement"]:
            typer.echo(f"{'':21}confirmed at {r['confirmed_at']:%Y-%m-%d %H:%M:%S}: “{r['statement']}”")
    for r in resends:
        kenmerk = f"aanleverkenmerk {r['previous_aanleverkenmerk']} → {r['aanleverkenmerk']}"
        what = f"Resend, attempt {r['attempt']}"
        failure = r["failure"] or "no error recorded"
        asked = f"{r['requested_at']:%Y-%m-%d %H:%M:%S}  {r['requested_by']:<{who}}"
        typer.echo(f"{asked} {what:<26} {kenmerk}; after: {failure}")
        sent = f"sent to the gateway at {r['sent_at']:%Y-%m-%d %H:%M:%S}" if r["sent_at"] else "not sent yet"
        typer.echo(f"{'':21}{sent}")
