"""Reading one summary field from a parsed document where its configured source says, typed and checked.

A field that is configured but absent is simply None, unless it is ``required``; a field that is
present but unreadable (an amount "abc", a date "31-01-2025") is always a problem: the client
must never approve a summary built from a value the document does not really hold.
"""

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fnmatch import fnmatchcase

from lxml import etree

from .config import MessageTypeSummary, Source
from .paths import find_path, text_of
from .xbrl import Fact, Period, is_instance, parse_date, read_facts

# At most 15 digits before and 6 after the point: more than any declaration holds, and well within what a
# Decimal keeps exactly (a longer amount would be rounded silently, and the client would approve another figure).
_NUMBER = re.compile(r"[+-]?(?:\d{1,15}(?:\.\d{0,6})?|\.\d{1,6})", re.ASCII)


class FactProblem(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Found:
    text: str
    period: Period | None = None
    entity: str | None = None
    currency: str | None = None


@dataclass(frozen=True)
class Amount:
    signed: Decimal
    currency: str | None


class DocumentReader:
    """The configured fields of one message type, read from one parsed document."""

    def __init__(
        self, root: etree._Element, namespaces: Mapping[str, str], spec: MessageTypeSummary, message_type: str
    ) -> None:
        if spec.format == "xbrl" and not is_instance(root):
            raise FactProblem(
                f"a {message_type} document must be an XBRL instance (xbrli:xbrl), "
                f"but its root element is <{etree.QName(root).localname}>"
            )
        self._root, self._namespaces, self._spec, self._type = root, namespaces, spec, message_type
        self._facts = read_facts(root) if spec.format == "xbrl" else []

    def text(self, field: str, allowed: Collection[str] | None = None) -> str | None:
        source, found = self._first(field)
        if found is None:
            return None
        if source.part == "entity" and not found.entity:
            raise FactProblem(f"the context of {_name(source)} ({field}) has no entity identifier")
        text = found.entity if source.part == "entity" else found.text
        if not text:
            raise FactProblem(f"{_name(source)} ({field}) is empty")
        if source.values is not None:
            text = source.values[_one_of(text, source.values, source, field)]
        return text if allowed is None else _one_of(text, allowed, source, field)

    def date(self, field: str) -> date | None:
        source, found = self._first(field)
        if found is None:
            return None
        if source.part in ("period_start", "period_end"):
            if found.period is None:
                raise FactProblem(f"the context of {_name(source)} ({field}) has no readable period")
            return found.period.start if source.part == "period_start" else found.period.end
        parsed = parse_date(found.text)
        if parsed is None:
            raise FactProblem(f"{_name(source)} ({field}) is {found.text!r}, which is not a date (YYYY-MM-DD)")
        return parsed

    def amount(self) -> Amount | None:
        source = self._spec.fields.amount
        if source is None:
            return None
        found = self._all("amount", source)
        if not found:
            return None
        for item in found:
            if not _NUMBER.fullmatch(item.text):
                raise FactProblem(
                    f"{_name(source)} (amount) is {item.text!r}, which is not an amount"
                    " (a number with at most 15 digits before the point and 6 after)"
                )
        chosen = found if source.sum_of else found[:1]
        return Amount(sum((Decimal(item.text) for item in chosen), Decimal(0)), chosen[0].currency)

    def _first(self, field: str) -> tuple[Source, Found | None]:
        source = getattr(self._spec.fields, field)
        found = self._all(field, source) if source else []
        return source, found[0] if found else None

    def _all(self, field: str, source: Source) -> list[Found]:
        if source.path is not None:
            found = [Found(text_of(element)) for element in find_path(self._root, source.path)]
        else:
            found = [Found(f.value, f.period, f.entity, f.currency) for f in self._facts if self._wanted(f, source)]
        if not found and source.required:
            raise FactProblem(f"the document has no {_name(source)} ({field}), which a {self._type} requires")
        return found

    def _wanted(self, fact: Fact, source: Source) -> bool:
        for concept in source.names():
            prefix, _, local = concept.partition(":")
            if fact.local_name == local and fnmatchcase(fact.namespace, self._namespaces[prefix]):
                return True
        return False


def _one_of(text: str, choices: Collection[str], source: Source, field: str) -> str:
    if text not in choices:
        raise FactProblem(f"{_name(source)} ({field}) is {text!r}, which is not one of {', '.join(choices)}")
    return text


def _name(source: Source) -> str:
    return " + ".join(source.names())
