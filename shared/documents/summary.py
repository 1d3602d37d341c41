"""What the client approves: a declaration's document turned into its summary, or refused with a reason.

Pure: configuration, message type, identity and the document's bytes in; a DeclarationSummary,
a DocumentRefusal, or None out. None means the message type has no summary configuration:
integrators add message types by configuration only, and one without a summary is still
accepted. Nothing here raises on a bad document.
"""

from typing import Protocol

from shared.contracts.directory import normalised_number
from shared.contracts.summary import DeclarationSummary

from .config import SIZE_CLASSES, MessageTypeSummary, SummaryConfig
from .extract import DocumentReader, FactProblem
from .refusals import FACT_MISSING, IDENTITY_MISMATCH, NOT_XML, UNSAFE, DocumentRefusal
from .rules import one_month_after_period_end, sign_of_amount, years_of_period
from .xml import UnreadableDocument, parse_document

EXPLANATIONS = {
    NOT_XML: "The declaration's document is empty, not well-formed XML, or not valid in its declared encoding.",
    UNSAFE: "The declaration's document declares a DTD or entities (XXE, entity expansion), so it is not read.",
    FACT_MISSING: "The declaration's document lacks a fact its message type requires, or has one that is unreadable.",
    IDENTITY_MISMATCH: "The identity number in the declaration's document differs from the declaration's identity.",
}


class Identity(Protocol):
    """Whom the declaration is about; only read, so a frozen model (``shared.contracts.inbound.Identity``) is one."""

    @property
    def number(self) -> str: ...

    @property
    def type(self) -> str: ...


def summarise(
    config: SummaryConfig, message_type: str, identity: Identity, content: bytes
) -> DeclarationSummary | DocumentRefusal | None:
    spec = config.message_types.get(message_type)
    if spec is None:
        return None
    try:
        reader = DocumentReader(parse_document(content), config.namespaces, spec, message_type)
        return _summary(reader, spec, message_type, identity)
    except UnreadableDocument as unreadable:
        return unreadable.refusal
    except FactProblem as problem:
        return DocumentRefusal(FACT_MISSING, problem.message)
    except (ArithmeticError, ValueError) as error:
        # A fact that reads but cannot be used (a period ending in 9999-12 has no deadline a month later): the
        # document is untrusted input, so it is refused rather than allowed to fail the whole batch.
        return DocumentRefusal(FACT_MISSING, f"a fact of the document cannot be used: {error}")


def same_identity(document_number: str, declared_number: str, ignored_prefix: str | None = None) -> bool:
    """Equal as the directory compares numbers (``normalised_number``), with an `ignored_prefix` (e.g. "NL")
    dropped from both."""
    return _normalised(document_number, ignored_prefix) == _normalised(declared_number, ignored_prefix)


def _normalised(number: str, ignored_prefix: str | None) -> str:
    compact, prefix = normalised_number(number), normalised_number(ignored_prefix or "")
    return compact[len(prefix) :] if prefix and compact.startswith(prefix) else compact


def _identity_refusal(reader: DocumentReader, spec: MessageTypeSummary, identity: Identity) -> DocumentRefusal | None:
    in_document = reader.text("identity_number")
    if in_document is None or same_identity(in_document, identity.number, spec.ignore_identity_prefix):
        return None
    return DocumentRefusal(
        IDENTITY_MISMATCH,
        f"the document is about {in_document!r}, "
        f"but the declaration's identity is {identity.number!r} ({identity.type})",
    )


def _summary(
    reader: DocumentReader, spec: MessageTypeSummary, message_type: str, identity: Identity
) -> DeclarationSummary | DocumentRefusal:
    amount = reader.amount()
    period_from, period_to = reader.date("period_from"), reader.date("period_to")
    refusal = _identity_refusal(reader, spec, identity)
    if refusal:
        return refusal
    direction = sign_of_amount(amount.signed) if amount and spec.derive.direction else None
    deadline = reader.date("payment_deadline")
    # A derived deadline only means something when the client has something to pay.
    if deadline is None and spec.derive.payment_deadline and period_to and direction == "payable":
        deadline = one_month_after_period_end(period_to)
    financial_year = reader.text("financial_year")
    if financial_year is None and spec.derive.financial_year and period_from and period_to:
        financial_year = years_of_period(period_from, period_to)
    return DeclarationSummary(
        message_type=message_type,
        period_from=period_from,
        period_to=period_to,
        amount=abs(amount.signed) if amount else None,
        currency=(amount.currency or spec.currency) if amount else None,
        direction=direction,
        payment_deadline=deadline,
        identity_number=identity.number,
        identity_type=identity.type,
        financial_year=financial_year,
        size_class=reader.text("size_class", allowed=SIZE_CLASSES),
    )
