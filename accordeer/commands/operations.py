"""Commands for operators: consumer lag, system status, dead letters, the AsyncAPI document."""

import asyncio
import contextlib
import json
import sys
from enum import StrEnum
from typing import Annotated

import typer

from accordeer.commands.common import INTEGRATORS, OPERATORS, app, friendly
from accordeer.commands.configuration import ConfigDir
from accordeer.listing import AsJson, Limit, Since, newest, since_time
from shared.db.roles import READER
from shared.settings import Settings

dlq_app = typer.Typer(
    help="Dead letters: records a service refused, with the reason and where they came from.", no_args_is_help=True
)
app.add_typer(dlq_app, name="dlq", rich_help_panel=OPERATORS)


@app.command(rich_help_panel=OPERATORS)
@friendly
def lag(
    watch: Annotated[
        bool, typer.Option("--watch", help="Report again every --interval seconds, until Ctrl-C.")
    ] = False,
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
        report = asyncio.run(
            lag_report(settings.kafka_bootstrap_servers, settings.topics, window=window, interval=interval)
        )
        typer.echo(render_json(report) if as_json else render_table(report, every_partition=every_partition))
        raise typer.Exit(0 if all(g.status == "OK" for g in report.groups) else 1)

    async def follow() -> None:
        async for report in watch_lag(
            settings.kafka_bootstrap_servers, settings.topics, window=window, interval=interval
        ):
            if as_json:
                typer.echo(json.dumps(report_dict(report)))
            else:
                if sys.stdout.isatty():
                    typer.echo("\x1b[2J\x1b[H", nl=False)  # a fresh screen per report, like watch(1)
                typer.echo(render_table(report, every_partition=every_partition))

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(follow())


@app.command(rich_help_panel=OPERATORS)
@friendly
def status() -> None:
    """The whole system on one screen: every component (services, the portal's pages, gateway, mail sink, Kafka,
    PostgreSQL), the gateway breaker per dispatch process, consumer lag, dead letters, dossier items per status.
    A component that is down is shown with the reason."""
    from accordeer.connect import NotRunning, database_url
    from accordeer.system_status import render, system_status

    settings = Settings()
    try:
        url = database_url(settings, READER)
    except NotRunning:
        url = None
    typer.echo(render(asyncio.run(system_status(settings, url))))


class DeadLetterTopic(StrEnum):
    """The consumed topic whose dead letters are meant."""

    inbound = "inbound"
    workflow_actions = "workflow-actions"
    dossier_items = "dossier-items"
    messages_approved = "messages-approved"
    workflow_tasks = "workflow-tasks"
    directory = "directory"


DeadLetterTopicOption = Annotated[DeadLetterTopic, typer.Option("--topic", help="Which dead-letter topic.")]


def _dead_letter_topic(settings: Settings, which: DeadLetterTopic) -> str:
    topics = settings.topics
    consumed = {
        DeadLetterTopic.inbound: topics.inbound,
        DeadLetterTopic.workflow_actions: topics.workflow_actions,
        DeadLetterTopic.dossier_items: topics.dossier_items,
        DeadLetterTopic.messages_approved: topics.approved,
        DeadLetterTopic.workflow_tasks: topics.tasks,
        DeadLetterTopic.directory: topics.directory,
    }[which]
    return topics.dead_letters_of(consumed)


@dlq_app.command("list")
@friendly
def dlq_list(
    topic: Annotated[DeadLetterTopic | None, typer.Option("--topic", help="Only this one (default: all).")] = None,
    reason: Annotated[str | None, typer.Option(help="Only records with this reason code.")] = None,
    limit: Limit = 50,
    since: Since = None,
    as_json: AsJson = False,
) -> None:
    """Each dead letter: offset, key, reason code and reason, original topic/partition/offset, when, size."""
    from shared.operations.dead_letters import dead_letter_topics, letter_dict, read_dead_letters, render_list

    settings = Settings()
    after = since_time(since)
    names = [_dead_letter_topic(settings, topic)] if topic else list(dead_letter_topics(settings.topics))
    listed = []
    for name in names:
        letters = [
            d
            for d in asyncio.run(read_dead_letters(settings.kafka_bootstrap_servers, name))
            if (reason is None or d.reason_code == reason) and (after is None or d.dead_lettered_at >= after)
        ]
        shown, more = newest(sorted(letters, key=lambda d: d.timestamp), limit)
        listed += shown
        if not as_json:
            typer.echo(render_list(name, shown, total=len(letters)) + (f"\n{more}" if more else "") + "\n")
    if as_json:
        typer.echo(json.dumps([letter_dict(d) for d in listed], indent=2, ensure_ascii=False))


@dlq_app.command("show")
@friendly
def dlq_show(
    ref: Annotated[str, typer.Argument(help="OFFSET or PARTITION:OFFSET, as `accordeer dlq list` shows it.")],
    topic: DeadLetterTopicOption = DeadLetterTopic.inbound,
) -> None:
    """One dead letter: its headers, and its value as indented JSON (base64 contents left out) or cut text."""
    from shared.operations.dead_letters import choose, read_dead_letters, render_show

    settings = Settings()
    letters = asyncio.run(read_dead_letters(settings.kafka_bootstrap_servers, _dead_letter_topic(settings, topic)))
    [letter] = choose(letters, refs=[ref])
    typer.echo(render_show(letter))


@dlq_app.command(
    "replay",
    epilog="Exit codes: 0 sent back (its consumer then decides each again; follow "
    "with `accordeer status` or `dlq list`); 1 nothing matched, or not confirmed; "
    "2 bad arguments, or Kafka not reachable (nothing was sent).",
)
@friendly
def dlq_replay(
    refs: Annotated[list[str] | None, typer.Argument(help="OFFSET or PARTITION:OFFSET of each record.")] = None,
    topic: DeadLetterTopicOption = DeadLetterTopic.inbound,
    every: Annotated[bool, typer.Option("--all", help="Every record of the topic.")] = False,
    reason: Annotated[str | None, typer.Option(help="Every record with this reason code.")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False,
    via_shared_inbound: Annotated[
        bool,
        typer.Option(
            "--via-shared-inbound",
            help="Send a letter from a source's own topic to declarations.inbound (the operator may write that one on"
            " a secure broker; the source's own topic only the source may); its body must name that source.",
        ),
    ] = False,
) -> None:
    """Send chosen dead letters back to their original topic, once their cause is fixed.

    For example after loading an authorisation or publishing a route. Same key and value, plus a header
    accordeer-replayed-from. Safe to repeat: a message already stored with the same content is a no-op,
    an action already applied is not applied again.
    """
    from shared.operations.dead_letters import choose, read_dead_letters, replay

    settings = Settings()
    name = _dead_letter_topic(settings, topic)
    chosen = choose(
        asyncio.run(read_dead_letters(settings.kafka_bootstrap_servers, name)),
        refs=refs or [],
        reason=reason,
        every=every,
    )
    if not chosen:
        typer.echo(f"no dead letter in {name} matches")
        raise typer.Exit(1)
    if not yes and not typer.confirm(f"Replay {len(chosen)} record(s) from {name}?"):
        raise typer.Exit(1)
    sent = asyncio.run(
        replay(settings.kafka_bootstrap_servers, chosen, topics=settings.topics, via_shared_inbound=via_shared_inbound)
    )
    for letter, where in zip(chosen, sent, strict=True):
        typer.echo(f"{letter.ref} ({letter.reason_code or 'no reason code'}) → {where}")


@app.command(rich_help_panel=INTEGRATORS)
@friendly
def docs(
    write: Annotated[
        bool, typer.Option("--write", help="Regenerate docs/asyncapi.yaml and docs/asyncapi-vendor.yaml from the code.")
    ] = False,
    vendor: Annotated[
        bool, typer.Option("--vendor", help="The document for external packages (what they send and read) instead.")
    ] = False,
    serve: Annotated[int, typer.Option(help="Serve the document as a web page on this port.")] = 0,
) -> None:
    """The AsyncAPI document of all topics, or with --vendor an external package's (generated from the contract
    models)."""
    from accordeer.contract_docs import DOCUMENT, asyncapi_yaml, write_document
    from accordeer.vendor_contract import vendor_yaml, write_vendor_document

    if write:
        typer.echo(f"wrote {write_document()}")
        typer.echo(f"wrote {write_vendor_document()}")
    elif serve:
        from accordeer.docs_site import serve_document

        typer.echo(f"serving the AsyncAPI document on http://127.0.0.1:{serve}/ (Ctrl-C stops)")
        serve_document(serve)
    elif vendor:
        typer.echo(vendor_yaml(), nl=False)
    else:
        typer.echo(asyncapi_yaml() if not DOCUMENT.exists() else DOCUMENT.read_text(), nl=False)


@app.command(rich_help_panel=OPERATORS)
@friendly
def chart(
    write: Annotated[
        bool, typer.Option("--write", help="Write deploy/helm/accordeer/files/kafka.yaml instead of printing it.")
    ] = False,
    config: ConfigDir = None,
) -> None:
    """The Helm chart's topics, Kafka principals and ACLs, generated from deploy/topics.yaml, deploy/kafka_acls.yaml
    and the configuration's sources and people: write it again after adding a source or a person."""
    from accordeer.chart import rendered, write_kafka_file

    if write:
        typer.echo(f"wrote {write_kafka_file(config)}")
    else:
        typer.echo(rendered(config), nl=False)
