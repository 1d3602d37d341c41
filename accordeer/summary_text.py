"""A declaration's summary in one line for people at the CLI: what the client approves."""

from shared.contracts.summary import DeclarationSummary

DIRECTIONS = {"payable": "to pay", "receivable": "to receive", "nil": "nothing to pay"}


def summary_line(summary: DeclarationSummary) -> str:
    parts = [summary.message_type]
    if summary.period_from or summary.period_to:
        parts.append(f"period {summary.period_from or '?'} to {summary.period_to or '?'}")
    if summary.financial_year:
        parts.append(f"financial year {summary.financial_year}")
    if summary.size_class:
        parts.append(f"size class {summary.size_class}")
    if summary.amount is not None:
        parts.append(
            f"{DIRECTIONS.get(summary.direction or '', 'amount')} {summary.currency or ''} "
            f"{summary.amount:,.2f}".replace("  ", " ")
        )
    if summary.payment_deadline:
        parts.append(f"pay by {summary.payment_deadline}")
    parts.append(f"{summary.identity_type} {summary.identity_number}")
    return " · ".join(parts)
