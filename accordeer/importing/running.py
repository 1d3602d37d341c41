"""`accordeer import` end to end: read and judge every row, publish the good ones under the import's own source,
and wait for intake's outcome of each."""

from dataclasses import dataclass, field
from pathlib import Path

from rich.progress import Progress

from accordeer.importing.checks import refusal_of
from accordeer.importing.columns import Columns, language_of, read_headers
from accordeer.importing.judging import judge_rows, mark_registered
from accordeer.importing.outcomes import ACCEPTED, PENDING, PUBLISHED, REFUSED, Outcome
from accordeer.importing.phrases import Phrase
from accordeer.importing.registered import read_rules, registered_items, same_documents
from accordeer.importing.rows import Prepared, Setup
from accordeer.importing.sheets import Sheet, read_sheet
from accordeer.kafka_io import follow_status, publish
from services.intake.domain import ReasonCode, Refusal
from shared.contracts.status import StatusCode, StatusEvent
from shared.settings import Settings

IMPORT_SOURCE = "import"
"""The source every imported declaration comes from; its service user is in authorisations.yaml. The import
publishes on that source's own topic and follows its own status topic, as any source: on a secure broker its
principal (`import`) may do nothing else, so it cannot submit in another source's name."""


@dataclass
class Request:
    path: Path
    documents: Path
    shares: dict[str, Path] = field(default_factory=dict)
    submitter: str | None = None
    dry_run: bool = False
    wait: float = 120
    language: str | None = None
    """nl or en; None: the language of the file's headers."""
    allow_same_document: bool = False


@dataclass
class Imported:
    sheet: Sheet
    outcomes: list[Outcome]
    language: str


async def run_import(conn, settings: Settings, request: Request, progress: Progress) -> Imported:
    sheet = read_sheet(request.path)
    language = request.language or language_of(sheet.headers)
    columns, problems = read_headers(sheet.headers)
    if problems:
        return Imported(sheet, [Outcome(1, REFUSED, header, reason) for header, reason in problems], language)
    rules = await read_rules(conn, settings)
    setup = Setup(
        IMPORT_SOURCE,
        request.documents,
        request.shares,
        request.submitter,
        rules.parties,
        allow_same_document=request.allow_same_document,
    )
    rows = progress.track(sheet.rows, description="checking rows")
    outcomes, ready = judge_rows(rows, columns, setup, rules)
    registered = await registered_items(conn, IMPORT_SOURCE, [p.message_id for p in ready])
    twins = await same_documents(conn, [p.document_key for p in ready])
    ready = mark_registered(outcomes, ready, registered, twins, columns, request.allow_same_document)
    if ready and not request.dry_run:
        await _publish(settings, ready, outcomes, columns, request.wait, progress)
    return Imported(sheet, sorted(outcomes.values(), key=lambda o: o.row), language)


async def _publish(
    settings: Settings,
    ready: list[Prepared],
    outcomes: dict[int, Outcome],
    columns: Columns,
    wait: float,
    progress: Progress,
) -> None:
    records = [(p.message_id, p.value) for p in ready]
    for prepared in ready:
        outcomes[prepared.row].result = PUBLISHED
    own = settings.topics.inbound_from(IMPORT_SOURCE)
    if not wait:
        await publish(settings.kafka_bootstrap_servers, own, records)
        return
    waiting = {p.message_id: p for p in ready}
    task = progress.add_task("waiting for intake", total=len(waiting))
    async with follow_status(settings.kafka_bootstrap_servers, settings.topics.status_of(IMPORT_SOURCE)) as follower:
        await publish(settings.kafka_bootstrap_servers, own, records)
        async for event in follower.events(wait):
            waited = waiting.get(event.message_id) if event.source == IMPORT_SOURCE else None
            if waited is not None and _record(outcomes[waited.row], waited, event, columns):
                del waiting[event.message_id]
                progress.advance(task)
            if not waiting:
                break
    for prepared in waiting.values():
        outcome = outcomes[prepared.row]
        outcome.result = PENDING
        outcome.reason = Phrase(
            f"verstuurd, maar intake gaf binnen {wait:g} s geen uitkomst; importeer het bestand"
            " later opnieuw: wat intake dan heeft, staat er als al geïmporteerd",
            f"published, but intake gave no outcome within {wait:g} s; import the file again"
            " later: what intake has by then shows as already imported",
        )


def _record(outcome: Outcome, prepared: Prepared, event: StatusEvent, columns: Columns) -> bool:
    """Notes the event on the row's outcome; True once intake has decided (refused, or its item exists)."""
    outcome.statuses = {int(event.status_code)}
    if event.status_code == StatusCode.REFUSED:
        reason = event.reason_code
        code = ReasonCode(reason) if reason is not None and reason in ReasonCode.__members__.values() else None
        refused = refusal_of(prepared, Refusal(code or ReasonCode.INVALID_SCHEMA, event.detail or ""), columns)
        outcome.result, outcome.column, outcome.reason = REFUSED, refused.column, refused.reason
        return True
    if event.dossier_item_id and event.dossier_item_id not in outcome.items:
        outcome.result = ACCEPTED
        outcome.items.append(event.dossier_item_id)
    return bool(outcome.items)
