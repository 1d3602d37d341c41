"""The early check of a prepared row with intake's own rules and code, so the report is right before anything is
published. Intake stays the authority: it judges every published row again."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from accordeer.importing.columns import Columns
from accordeer.importing.intake_refusals import explain
from accordeer.importing.rows import Prepared, RowRefusal
from services.intake.domain import (
    Authorisations,
    DossierItemType,
    Refusal,
    accept_declaration,
    parse_declaration,
)
from shared.contracts.directory import Party
from shared.documents.config import SummaryConfig


@dataclass(frozen=True)
class Rules:
    """What intake judges a declaration against, read once per import."""

    authorisations: Authorisations
    item_type: DossierItemType
    parties: Mapping[str, Party]
    summaries: SummaryConfig | None
    now: datetime
    clock_skew: timedelta
    max_bytes: int


def check(prepared: Prepared, rules: Rules, columns: Columns) -> Prepared | RowRefusal:
    declaration = parse_declaration(prepared.value, max_bytes=rules.max_bytes)
    if isinstance(declaration, Refusal):
        return refusal_of(prepared, declaration, columns)
    accepted = accept_declaration(
        declaration,
        authorisations=rules.authorisations,
        item_type=rules.item_type,
        parties=rules.parties,
        received_at=rules.now,
        clock_skew=rules.clock_skew,
        summaries=rules.summaries,
    )
    if isinstance(accepted, Refusal):
        return refusal_of(prepared, accepted, columns)
    return prepared


def refusal_of(prepared: Prepared, refusal: Refusal, columns: Columns) -> RowRefusal:
    """Intake's refusal of a prepared row, told in the row's terms: its column and its values."""
    column, reason = explain(refusal, json.loads(prepared.value), prepared.fields, columns)
    return RowRefusal(prepared.row, column, reason, str(refusal.reason_code))
