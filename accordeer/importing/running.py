"""`accordeer import` end to end: read and judge every row, publish the good ones under the import's own source,
and wait for intake's outcome of each."""

from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from accordeer.importing.checks import column_of
from accordeer.importing.columns import Columns, read_headers
from accordeer.importing.judging import judge_rows, mark_registered
from accordeer.importing.outcomes import ACCEPTED, PUBLISHED, REFUSED, Outcome
from accordeer.importing.registered import read_rules, registered_items
from accordeer.importing.rows import Prepared, Setup
from accordeer.importing.sheets import Sheet, read_sheet
from accordeer.kafka_io import follow_status, publish
from services.intake.domain import ReasonCode, Refusal
from shared.contracts.status import StatusCode, StatusEvent
from shared.settings import Settings

IMPORT_SOURCE = "import"
"""The source every imported declaration comes from; its service user is in authorisations.yaml."""


@dataclass
class Request:
    path: Path
    documents: Path
    shares: dict[str, Path] = field(default_factory=dict)
    submitter: str | None = None
    dry_run: bool = False
    wait: float = 120


async def run_import(conn, settings: Settings, request: Request, progress: Progress) -> tuple[Sheet, list[Outcome]]:
    sheet = read_sheet(request.path)
    columns, problems = read_headers(sheet.headers)
    if problems:
        return sheet, [Outcome(1, REFUSED, header, reason) for header, reason in problems]
    rules = await read_rules(conn, settings)
    setup = Setup(IMPORT_SOURCE, request.documents, request.shares, request.submitter, rules.parties)
    rows = progress.track(sheet.rows, description="checking rows")
    outcomes, ready = judge_rows(rows, columns, setup, rules)
    ready = mark_registered(outcomes, ready, await registered_items(conn, IMPORT_SOURCE,
                                                                    [p.message_id for p in ready]))
    if ready and not request.dry_run:
        await _publish(settings, ready, outcomes, columns, request.wait, progress)
    return sheet, sorted(outcomes.values(), key=lambda o: o.row)


async def _publish(settings: Settings, ready: list[Prepared], outcomes: dict[int, Outcome], columns: Columns,
                   wait: float, progress: Progress) -> None:
    records = [(p.message_id, p.value) for p in ready]
    for prepared in ready:
        outcomes[prepared.row].result = PUBLISHED
    if not wait:
        await publish(settings.kafka_bootstrap_servers, settings.topics.inbound, records)
        return
    waiting = {p.message_id: outcomes[p.row] for p in ready}
    task = progress.add_task("waiting for intake", total=len(waiting))
    async with follow_status(settings.kafka_bootstrap_servers, settings.topics.status) as follower:
        await publish(settings.kafka_bootstrap_servers, settings.topics.inbound, records)
        async for event in follower.events(wait):
            outcome = waiting.get(event.message_id) if event.source == IMPORT_SOURCE else None
            if outcome is not None and _record(outcome, event, columns):
                del waiting[event.message_id]
                progress.advance(task)
            if not waiting:
                break


def _record(outcome: Outcome, event: StatusEvent, columns: Columns) -> bool:
    """Notes the event on the row's outcome; True once intake has decided (refused, or its item exists)."""
    if event.status_code == StatusCode.REFUSED:
        code = ReasonCode(event.reason_code) if event.reason_code in ReasonCode.__members__.values() else None
        outcome.result, outcome.reason = REFUSED, event.detail
        outcome.column = column_of(Refusal(code, event.detail), columns) if code else ""
        outcome.status = f"0 {StatusCode.REFUSED.label}"
        return True
    outcome.status = f"{int(event.status_code)} {event.status}"
    if event.dossier_item_id and event.dossier_item_id not in outcome.items:
        outcome.result = ACCEPTED
        outcome.items.append(event.dossier_item_id)
    return bool(outcome.items)
