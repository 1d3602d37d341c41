"""What the client approves: the readable summary of a declaration, carried with its dossier item.

Extracted from the declaration's XBRL/XML document by ``shared.documents`` according to
``deploy/config/summaries.yaml``. Every field but the message type and the identity may be
None: a message type only fills what its configuration names. The golden example is
``examples/summary_btw_aangifte.json``.
"""

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, PlainSerializer

from shared.contracts.record import Record

Direction = Literal["payable", "receivable", "nil"]
"""payable: the client pays the authority; receivable: the client gets money back; nil: nothing either way."""

SizeClass = Literal["micro", "klein", "middelgroot", "groot"]
"""The size class of a legal entity under Book 2 of the Dutch Civil Code, as the KvK filing states it."""

# Amounts travel as JSON strings ("1523.45") so no consumer ever turns them into a float.
Amount = Annotated[Decimal, Field(ge=0, allow_inf_nan=False), PlainSerializer(str, return_type=str, when_used="json")]


class DeclarationSummary(Record):
    """Period, amount payable or receivable, payment deadline and identity of one declaration."""

    message_type: str
    period_from: date | None = None
    period_to: date | None = None
    amount: Amount | None = Field(
        default=None, description="Always positive or zero; `direction` says which way the money goes."
    )
    currency: str | None = Field(default=None, description="ISO 4217 code of `amount`, e.g. 'EUR'.")
    direction: Direction | None = Field(
        default=None, description="None when the declaration moves no money (ICP, annual accounts)."
    )
    payment_deadline: date | None = None
    identity_number: str = Field(description="identiteitBelanghebbende, as the declaration gives it.")
    identity_type: str
    financial_year: str | None = Field(
        default=None, description="kvk-stukken: '2024', or '2024/2025' for a financial year across two years."
    )
    size_class: SizeClass | None = None
