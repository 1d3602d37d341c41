"""Every row of a file judged before anything is published: the file's own rules, then intake's, then whether this
file or an earlier import already holds the declaration. One row naming another dossier item type refuses the
whole file.

A declaration is never imported twice: the same meaning is the same message id, and the same document for the
same destination and message type under another identity (a changed subject, say) is held back as a duplicate,
naming the row or dossier item that has it, unless the person says it is a new declaration after all.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from accordeer.importing.checks import Rules, check
from accordeer.importing.columns import Columns
from accordeer.importing.outcomes import ALREADY, CHECKED, DOUBLE, REFUSED, Outcome
from accordeer.importing.phrases import Phrase
from accordeer.importing.rows import Prepared, RowRefusal, Setup, prepare_row


@dataclass(frozen=True)
class Registered:
    """A dossier item intake already holds: by message id for the same declaration, by document for its twin."""

    item: str
    message_id: str
    source: str
    subject: str
    status: int


def judge_rows(
    rows: Iterable[tuple[int, list]], columns: Columns, setup: Setup, rules: Rules
) -> tuple[dict[int, Outcome], list[Prepared]]:
    """Outcomes by row number, and the rows ready to publish (none when the file is refused whole)."""
    outcomes: dict[int, Outcome] = {}
    ready: list[Prepared] = []
    for number, cells in rows:
        judged = prepare_row(number, cells, columns, setup)
        if isinstance(judged, Prepared):
            judged = check(judged, rules, columns)
        if isinstance(judged, RowRefusal):
            outcomes[number] = Outcome(number, REFUSED, judged.column, judged.reason)
        else:
            outcomes[number] = Outcome(number, CHECKED, message_id=judged.message_id)
            ready.append(judged)
    other_types = [n for n, o in outcomes.items() if o.column == columns.header_of("item_type") and o.result == REFUSED]
    if other_types:
        for outcome in outcomes.values():
            if outcome.result != REFUSED:
                outcome.result, outcome.column = REFUSED, columns.header_of("item_type")
                outcome.reason = Phrase(
                    f"niet geïmporteerd: rij {other_types[0]} noemt een ander type dossieritem, en één import bevat"
                    " één type",
                    f"not imported: row {other_types[0]} names another dossier item type, and one"
                    " import holds one type",
                )
        return outcomes, []
    return outcomes, _first_of_each(ready, outcomes, columns, setup.allow_same_document)


def _first_of_each(
    ready: list[Prepared], outcomes: dict[int, Outcome], columns: Columns, allow_same_document: bool
) -> list[Prepared]:
    """Rows that repeat an earlier row's declaration, or its document, in this same file are held back."""
    by_id: dict[str, int] = {}
    by_document: dict[tuple[str, str, str], int] = {}
    kept = []
    for prepared in ready:
        earlier = by_id.setdefault(prepared.message_id, prepared.row)
        twin = by_document.setdefault(prepared.document_key, prepared.row)
        outcome = outcomes[prepared.row]
        if earlier != prepared.row:
            outcome.result, outcome.column = DOUBLE, ""
            outcome.reason = Phrase(
                f"dezelfde aangifte als rij {earlier}; die wordt één keer geïmporteerd",
                f"the same declaration as row {earlier}; it is imported once",
            )
        elif twin != prepared.row and not allow_same_document:
            outcome.result, outcome.column = DOUBLE, columns.header_of("document")
            organisation, message_type, _ = prepared.document_key
            outcome.reason = Phrase(
                f"hetzelfde document voor {organisation} ({message_type}) staat ook in rij {twin}, met andere"
                " gegevens; één aangifte wordt één keer geïmporteerd: houd één van beide rijen over",
                f"the same document for {organisation} ({message_type}) is also in row {twin}, with other values;"
                " a declaration is imported once: keep one of the two rows",
            )
        else:
            kept.append(prepared)
    return kept


def mark_registered(
    outcomes: dict[int, Outcome],
    ready: list[Prepared],
    registered: dict[str, list[Registered]],
    twins: dict[tuple[str, str, str], Registered],
    columns: Columns,
    allow_same_document: bool = False,
) -> list[Prepared]:
    """Rows intake already holds are reported with their items and left out, and so are rows whose document intake
    holds under another message: the rest, to publish."""
    fresh = []
    for prepared in ready:
        outcome = outcomes[prepared.row]
        items = registered.get(prepared.message_id)
        twin = twins.get(prepared.document_key)
        if items:
            outcome.result, outcome.items = ALREADY, [item.item for item in items]
            outcome.statuses = {item.status for item in items}
        elif twin and not allow_same_document:
            outcome.result, outcome.column, outcome.items = DOUBLE, columns.header_of("document"), [twin.item]
            outcome.statuses = {twin.status}
            outcome.reason = _registered_twin(prepared, twin)
        else:
            fresh.append(prepared)
    return fresh


def _registered_twin(prepared: Prepared, twin: Registered) -> Phrase:
    organisation, message_type, _ = prepared.document_key
    return Phrase(
        f"hetzelfde document voor {organisation} ({message_type}) is al geïmporteerd als dossieritem {twin.item}"
        f" (bron {twin.source}, onderwerp {twin.subject!r}), met andere gegevens; is het toch een nieuwe aangifte,"
        " importeer dan met --allow-same-document",
        f"the same document for {organisation} ({message_type}) is already dossier item {twin.item} (source"
        f" {twin.source}, subject {twin.subject!r}), with other values; if it is a new declaration after all,"
        " import with --allow-same-document",
    )
