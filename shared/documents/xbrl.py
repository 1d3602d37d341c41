"""Reading an XBRL instance into facts, and listing them as rows people can read.

A fact is an element that carries a ``contextRef`` (nested in a tuple or not). Its context
gives the period (an instant, or a start and end date) and the entity identifier; its
``unitRef`` gives the unit (``iso4217:EUR``). Concepts keep the prefix the document wrote and
their namespace, so a configuration can match them whatever prefix a package chose. No
taxonomy is loaded: the reading is purely structural.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import cast

from lxml import etree

XBRLI = "http://www.xbrl.org/2003/instance"
ISO4217 = "http://www.xbrl.org/2003/iso4217"
_STRUCTURAL = {XBRLI, "http://www.xbrl.org/2003/linkbase", "http://xbrl.org/2006/xbrldi"}
_CARRYING_A_CONTEXT = etree.XPath("//*[@contextRef]")
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[TZ+-].*)?", re.ASCII)


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    instant: bool = False

    def __str__(self) -> str:
        return self.end.isoformat() if self.instant else f"{self.start.isoformat()}/{self.end.isoformat()}"


@dataclass(frozen=True)
class Fact:
    concept: str
    """``prefix:localName`` as the document writes it (just the local name without a prefix)."""
    namespace: str
    local_name: str
    value: str
    period: Period | None = None
    entity: str | None = None
    unit: str | None = None
    """The unit's measure as written, e.g. ``iso4217:EUR``."""
    currency: str | None = None
    """The ISO 4217 code when the unit is a currency."""
    decimals: str | None = None
    dimensions: str = ""
    """The context's dimension members, e.g. ``bd-axes:CountryCodeEUDimension=DE``: what tells two facts apart."""


@dataclass(frozen=True)
class FactRow:
    """One line of "the facts as a readable table": concept, period, value, unit (blank when absent)."""

    concept: str
    period: str
    value: str
    unit: str
    dimensions: str = ""


def parse_date(text: str) -> date | None:
    """The date of an XBRL date or dateTime ("2025-01-31", "2025-01-31T00:00:00"), None when it is none."""
    match = _DATE.fullmatch(text.strip())
    try:
        return date.fromisoformat(match.group(1)) if match else None
    except ValueError:
        return None


def is_instance(root: etree._Element) -> bool:
    return root.tag == f"{{{XBRLI}}}xbrl"


def read_facts(root: etree._Element) -> list[Fact]:
    """Every fact of the instance, in document order."""
    contexts = {c.get("id"): _context(c) for c in root.iterchildren(f"{{{XBRLI}}}context")}
    units = {u.get("id"): _unit(u) for u in root.iterchildren(f"{{{XBRLI}}}unit")}
    facts = []
    # Intake reads every declaration's facts: the search runs in libxml2, and names come from the tag as it is
    # (about half the time of a QName per element).
    # The path selects elements only; lxml-stubs type an XPath's result as any XPath value (bool, str, list...).
    for element in cast(list[etree._Element], _CARRYING_A_CONTEXT(root)):
        namespace, _, local_name = element.tag[1:].partition("}") if element.tag[0] == "{" else ("", "", element.tag)
        if namespace in _STRUCTURAL:
            continue
        period, entity, dimensions = contexts.get(element.get("contextRef"), (None, None, ""))
        unit, currency = units.get(element.get("unitRef"), (None, None))
        concept = f"{element.prefix}:{local_name}" if element.prefix else local_name
        value = ("".join(element.itertext()) if len(element) else element.text or "").strip()  # type: ignore[arg-type]  # lxml-stubs: itertext yields str
        facts.append(
            Fact(
                concept,
                namespace,
                local_name,
                value,
                period,
                entity,
                unit,
                currency,
                element.get("decimals"),
                dimensions,
            )
        )
    return facts


def fact_rows(root: etree._Element) -> list[FactRow]:
    return [FactRow(f.concept, str(f.period or ""), f.value, f.unit or "", f.dimensions) for f in read_facts(root)]


def _context(context: etree._Element) -> tuple[Period | None, str | None, str]:
    identifier = context.find(f"{{{XBRLI}}}entity/{{{XBRLI}}}identifier")
    entity = (identifier.text or "").strip() if identifier is not None else None
    members = context.iterfind(".//{http://xbrl.org/2006/xbrldi}*[@dimension]")
    dimensions = ", ".join(f"{m.get('dimension')}={''.join(m.itertext()).strip()}" for m in members)  # type: ignore[arg-type]  # lxml-stubs: itertext yields str
    return _period(context.find(f"{{{XBRLI}}}period")), entity, dimensions


def _period(period: etree._Element | None) -> Period | None:
    if period is None:
        return None
    instant = parse_date(period.findtext(f"{{{XBRLI}}}instant") or "")
    if instant:
        return Period(instant, instant, instant=True)
    start = parse_date(period.findtext(f"{{{XBRLI}}}startDate") or "")
    end = parse_date(period.findtext(f"{{{XBRLI}}}endDate") or "")
    return Period(start, end) if start and end else None


def _unit(unit: etree._Element) -> tuple[str, str | None]:
    measures = list(unit.iter(f"{{{XBRLI}}}measure"))
    written = "/".join((m.text or "").strip() for m in measures)
    if len(measures) != 1:
        return written, None
    prefix, _, code = written.rpartition(":")
    return written, code if measures[0].nsmap.get(prefix or None) == ISO4217 else None
