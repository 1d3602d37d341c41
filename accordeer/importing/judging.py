"""Every row of a file judged before anything is published: the file's own rules, then intake's, then whether an
earlier import already registered it. One row naming another dossier item type refuses the whole file."""

from collections.abc import Iterable

from accordeer.importing.checks import Rules, check
from accordeer.importing.columns import Columns
from accordeer.importing.outcomes import ALREADY, CHECKED, REFUSED, Outcome
from accordeer.importing.rows import Prepared, RowRefusal, Setup, prepare_row
from shared.contracts.status import StatusCode


def judge_rows(rows: Iterable[tuple[int, list]], columns: Columns, setup: Setup, rules: Rules
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
                outcome.reason = (f"not imported: row {other_types[0]} names another dossier item type, and one"
                                  " import holds one type")
        ready = []
    return outcomes, ready


def mark_registered(outcomes: dict[int, Outcome], ready: list[Prepared],
                    registered: dict[str, list[tuple[str, int]]]) -> list[Prepared]:
    """Rows an earlier import registered are reported with their items and left out: the rest, to publish."""
    fresh = []
    for prepared in ready:
        items = registered.get(prepared.message_id)
        if items is None:
            fresh.append(prepared)
            continue
        outcome = outcomes[prepared.row]
        outcome.result, outcome.items = ALREADY, [str(item) for item, _ in items]
        outcome.status = ", ".join(sorted({f"{code} {StatusCode(code).label}" for _, code in items}))
    return fresh
