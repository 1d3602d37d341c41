"""`accordeer`: one command for people — run the stack, submit, act, publish workflows, inspect."""

import asyncio
import functools
import json
import sys
import uuid
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from aiokafka.errors import KafkaError

from accordeer.connect import CACHE_DIR, NotRunning, settings_with_database
from shared.settings import Settings

app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
stack_app = typer.Typer(help="The local infrastructure.", no_args_is_help=True)
workflows_app = typer.Typer(help="Workflow definitions and routes (deploy/config by default).", no_args_is_help=True)
authorisations_app = typer.Typer(help="Who may submit which message types.", no_args_is_help=True)
item_type_app = typer.Typer(help="The built-in dossier item type Accorderingsbericht.", no_args_is_help=True)
app.add_typer(stack_app, name="stack")
app.add_typer(workflows_app, name="workflows")
app.add_typer(authorisations_app, name="authorisations")
app.add_typer(item_type_app, name="item-type")


def main() -> None:
    app()


def friendly(command):
    """People get a sentence, not a traceback, for what they can fix themselves."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (NotRunning, LookupError, ValueError, FileNotFoundError, OSError) as exc:
            typer.secho(f"error: {exc}", fg="red", err=True)
            raise typer.Exit(2) from None
        except KafkaError as exc:
            typer.secho(f"error: Kafka is not reachable ({exc}); is the stack running (`make run`)?", fg="red", err=True)
            raise typer.Exit(2) from None

    return wrapper


# -- the stack ---------------------------------------------------------------------------------------------------

@app.command()
@friendly
def run(demo: Annotated[bool, typer.Option(help="Feed sample declarations and play the client.")] = True) -> None:
    """Run everything here (Kafka, PostgreSQL, the services, the mocked gateway) until Ctrl-C."""
    from accordeer.run import run_stack

    run_stack(demo=demo)


@app.command()
def wipe(yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False) -> None:
    """Delete the local stack's data (.data/): topics, database, logs."""
    from accordeer.run import wipe as wipe_data

    if yes or typer.confirm("Delete all local data?"):
        wipe_data()


@stack_app.command("fetch")
@friendly
def stack_fetch() -> None:
    """Fetch the Kafka broker's jars from Maven Central into .cache/ (once; later runs are offline)."""
    from accordeer.localstack.kafka import ensure_jars

    typer.echo(f"Kafka jars in {ensure_jars(CACHE_DIR)}")


@app.command()
@friendly
def setup() -> None:
    """Apply migrations, create topics, load the shipped configuration where none is loaded yet."""
    from accordeer.setup import prepare

    for line in asyncio.run(prepare(settings_with_database())) or ["nothing to do"]:
        typer.echo(line)


# -- working with declarations -------------------------------------------------------------------------------------

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
    """The audit trail of a dossier item: who, when, from, to, action, comment, workflow version."""
    from services.workflow.repository import WorkflowRepository
    from shared.db.pool import connect

    async def fetch():
        conn = await connect(settings_with_database().database_url)
        try:
            return await WorkflowRepository(conn).history(item)
        finally:
            await conn.close()

    rows = asyncio.run(fetch())
    if as_json:
        typer.echo(json.dumps(rows, default=str, indent=2))
        return
    if not rows:
        typer.echo(f"no history for dossier item {item}")
        raise typer.Exit(1)
    for r in rows:
        move = f"{r['from_task'] or '-'} → {r['to_task'] or '-'}"
        typer.echo(f"{r['at']:%Y-%m-%d %H:%M:%S}  {r['actor']:<14} {r['action']:<26} {move:<60} "
                   f"{r['from_status'] or '':>2}→{r['to_status']}  v{r['publication_id']} {r['comment']}")


# -- configuration -------------------------------------------------------------------------------------------------

ConfigDir = Annotated[Path | None, typer.Option("--config", help="Configuration folder (default: deploy/config).")]


@workflows_app.command("check")
@friendly
def workflows_check(config: ConfigDir = None) -> None:
    """Validate every workflow and route; changes nothing."""
    from services.workflow.domain import check_config, load_config_folder

    publication = check_config(load_config_folder(config or Settings().config_dir))
    if publication.ok:
        for name in sorted(publication.workflows):
            typer.echo(f"{name}: valid (checked only; nothing was published)")
        return
    _report(publication)


@workflows_app.command("publish")
@friendly
def workflows_publish(config: ConfigDir = None,
                      by: Annotated[str, typer.Option(help="Who publishes (audit).")] = "cli") -> None:
    """Validate and publish all workflows and routes; items waiting for a route are routed at once."""
    from services.workflow.domain import load_config_folder
    from services.workflow.use_cases import publish
    from shared.db.pool import connect

    settings = settings_with_database()

    async def go():
        conn = await connect(settings.database_url)
        try:
            return await publish(conn, load_config_folder(config or settings.config_dir), settings.topics,
                                 published_by=by)
        finally:
            await conn.close()

    publication, routed = asyncio.run(go())
    _report(publication)
    if routed:
        typer.echo(f"{routed} waiting dossier item(s) routed into a workflow")


def _report(publication) -> None:
    for line in publication.report():
        typer.echo(line, err=not publication.ok)
    if not publication.ok:
        typer.secho(f"{len(publication.problems)} problem(s); nothing was published", fg="red", err=True)
        raise typer.Exit(1)


@authorisations_app.command("load")
@friendly
def authorisations_load(file: Annotated[Path, typer.Argument(help="YAML like deploy/config/authorisations.yaml")]
                        ) -> None:
    """Replace the authorisations by the file's (intake applies them from its next batch)."""
    from services.intake.admin import load_authorisations
    from shared.db.pool import connect

    async def go():
        conn = await connect(settings_with_database().database_url)
        try:
            return await load_authorisations(conn, file)
        finally:
            await conn.close()

    loaded = asyncio.run(go())
    typer.echo(f"loaded {len(loaded.service_users)} source(s) and {len(loaded.users)} user(s)")


@item_type_app.command("set")
@friendly
def item_type_set(setting: Annotated[str, typer.Argument(help="Only 'confidential' can be changed.")],
                  value: Annotated[str, typer.Argument(help="true or false")]) -> None:
    """Change a setting of Accorderingsbericht."""
    from services.intake.admin import change_item_type
    from services.intake.domain import Refusal
    from shared.db.pool import connect

    parsed = {"true": True, "false": False}.get(value.lower(), value)

    async def go():
        conn = await connect(settings_with_database().database_url)
        try:
            return await change_item_type(conn, setting, parsed)
        finally:
            await conn.close()

    outcome = asyncio.run(go())
    if isinstance(outcome, Refusal):
        typer.secho(f"refused: {outcome.message}", fg="red", err=True)
        raise typer.Exit(1)
    typer.echo(outcome)


@item_type_app.command("create")
def item_type_create() -> None:
    """Always refused: the type is built in."""
    from services.intake.domain import create_item_type

    typer.secho(f"refused: {create_item_type().message}", fg="red", err=True)
    raise typer.Exit(1)


@item_type_app.command("delete")
def item_type_delete() -> None:
    """Always refused: the type is built in."""
    from services.intake.domain import delete_item_type

    typer.secho(f"refused: {delete_item_type().message}", fg="red", err=True)
    raise typer.Exit(1)


# -- operations: consumer lag and dead letters ----------------------------------------------------------------------

dlq_app = typer.Typer(help="Dead letters: records a service refused, with the reason and where they came from.",
                      no_args_is_help=True)
app.add_typer(dlq_app, name="dlq")


@app.command()
@friendly
def lag(
    watch: Annotated[bool, typer.Option("--watch", help="Report again every --interval seconds, until Ctrl-C.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON (with --watch: one document per line).")] = False,
    window: Annotated[int, typer.Option(min=1, help="Samples per partition that a status is judged over.")] = 3,
    interval: Annotated[float, typer.Option(min=0.1, help="Seconds between samples.")] = 1.0,
    every_partition: Annotated[bool, typer.Option("--all", help="List caught-up partitions too.")] = False,
) -> None:
    """Consumer lag of intake, workflow and dispatch: per partition and per group, with a status as Burrow's.

    OK; WARN: lag growing while offsets advance; STALL: a consumer is there but its offset does not move;
    STOP: nobody is in the group while records wait. Without --watch it takes --window samples (so
    (window-1) x interval seconds) and exits 1 when a group is not OK.
    """
    from shared.lag import lag_report, render_json, render_table, report_dict, watch_lag

    settings = Settings()
    if not watch:
        report = asyncio.run(lag_report(settings.kafka_bootstrap_servers, settings.topics, window=window,
                                        interval=interval))
        typer.echo(render_json(report) if as_json else render_table(report, every_partition=every_partition))
        raise typer.Exit(0 if all(g.status == "OK" for g in report.groups) else 1)

    async def follow() -> None:
        async for report in watch_lag(settings.kafka_bootstrap_servers, settings.topics, window=window,
                                      interval=interval):
            if as_json:
                typer.echo(json.dumps(report_dict(report)))
            else:
                if sys.stdout.isatty():
                    typer.echo("\x1b[2J\x1b[H", nl=False)  # a fresh screen per report, like watch(1)
                typer.echo(render_table(report, every_partition=every_partition))

    try:
        asyncio.run(follow())
    except KeyboardInterrupt:
        pass


@app.command()
@friendly
def status() -> None:
    """The whole system on one screen: services, consumer lag, dead letters, dossier items per status."""
    from accordeer.system_status import render, system_status

    typer.echo(render(asyncio.run(system_status(settings_with_database()))))


class DeadLetterTopic(str, Enum):
    inbound = "inbound"
    workflow_actions = "workflow-actions"


DeadLetterTopicOption = Annotated[DeadLetterTopic, typer.Option("--topic", help="Which dead-letter topic.")]


def _dead_letter_topic(settings: Settings, which: DeadLetterTopic) -> str:
    return {DeadLetterTopic.inbound: settings.topics.inbound_dlq,
            DeadLetterTopic.workflow_actions: settings.topics.workflow_actions_dlq}[which]


@dlq_app.command("list")
@friendly
def dlq_list(
    topic: Annotated[DeadLetterTopic | None, typer.Option("--topic", help="Only this one (default: both).")] = None,
    reason: Annotated[str | None, typer.Option(help="Only records with this reason code.")] = None,
) -> None:
    """Each dead letter: offset, key, reason code and reason, original topic/partition/offset, when, size."""
    from accordeer.dead_letter_tools import dead_letter_topics, read_dead_letters, render_list

    settings = Settings()
    names = [_dead_letter_topic(settings, topic)] if topic else list(dead_letter_topics(settings.topics))
    for name in names:
        letters = asyncio.run(read_dead_letters(settings.kafka_bootstrap_servers, name))
        typer.echo(render_list(name, [d for d in letters if reason is None or d.reason_code == reason]) + "\n")


@dlq_app.command("show")
@friendly
def dlq_show(
    ref: Annotated[str, typer.Argument(help="OFFSET or PARTITION:OFFSET, as `accordeer dlq list` shows it.")],
    topic: DeadLetterTopicOption = DeadLetterTopic.inbound,
) -> None:
    """One dead letter: its headers, and its value as indented JSON (base64 contents left out) or cut text."""
    from accordeer.dead_letter_tools import choose, read_dead_letters, render_show

    settings = Settings()
    letters = asyncio.run(read_dead_letters(settings.kafka_bootstrap_servers, _dead_letter_topic(settings, topic)))
    [letter] = choose(letters, refs=[ref])
    typer.echo(render_show(letter))


@dlq_app.command("replay")
@friendly
def dlq_replay(
    refs: Annotated[list[str] | None, typer.Argument(help="OFFSET or PARTITION:OFFSET of each record.")] = None,
    topic: DeadLetterTopicOption = DeadLetterTopic.inbound,
    every: Annotated[bool, typer.Option("--all", help="Every record of the topic.")] = False,
    reason: Annotated[str | None, typer.Option(help="Every record with this reason code.")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False,
) -> None:
    """Send chosen dead letters back to their original topic, once their cause is fixed.

    For example after loading an authorisation or publishing a route. Same key and value, plus a header
    accordeer-replayed-from. Safe to repeat: a message already stored with the same content is a no-op,
    an action already applied is not applied again.
    """
    from accordeer.dead_letter_tools import choose, read_dead_letters, replay

    settings = Settings()
    name = _dead_letter_topic(settings, topic)
    chosen = choose(asyncio.run(read_dead_letters(settings.kafka_bootstrap_servers, name)),
                    refs=refs or [], reason=reason, every=every)
    if not chosen:
        typer.echo(f"no dead letter in {name} matches")
        raise typer.Exit(1)
    if not yes and not typer.confirm(f"Replay {len(chosen)} record(s) from {name}?"):
        raise typer.Exit(1)
    sent = asyncio.run(replay(settings.kafka_bootstrap_servers, chosen, topics=settings.topics))
    for letter, where in zip(chosen, sent, strict=True):
        typer.echo(f"{letter.ref} ({letter.reason_code or 'no reason code'}) → {where}")


@app.command()
@friendly
def docs(write: Annotated[bool, typer.Option("--write", help="Regenerate docs/asyncapi.yaml from the code.")] = False,
         serve: Annotated[int, typer.Option(help="Serve the document as a web page on this port.")] = 0) -> None:
    """The AsyncAPI document of all topics (generated from the contract models)."""
    from accordeer.contract_docs import DOCUMENT, asyncapi_yaml, write_document

    if write:
        typer.echo(f"wrote {write_document()}")
    elif serve:
        from accordeer.docs_site import serve_document

        typer.echo(f"serving the AsyncAPI document on http://127.0.0.1:{serve}/ (Ctrl-C stops)")
        serve_document(serve)
    else:
        typer.echo(asyncapi_yaml() if not DOCUMENT.exists() else DOCUMENT.read_text(), nl=False)


if __name__ == "__main__":
    sys.exit(main())
