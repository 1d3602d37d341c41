"""The summary configuration's model (deploy/config/summaries.yaml): per message type, where each field comes from.

The YAML file documents the shape; ``loader.py`` reads and validates it. Every rule that can be
checked without a document is checked here, so a mistake shows when the file is loaded rather
than as a refused declaration.
"""

import re
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from shared.contracts.summary import SizeClass

from .paths import PATH

SIZE_CLASSES: tuple[str, ...] = get_args(SizeClass)
_DATES, _TEXTS = ("value", "period_start", "period_end"), ("value", "entity")
_PARTS = {
    "identity_number": _TEXTS,
    "period_from": _DATES,
    "period_to": _DATES,
    "amount": ("value",),
    "payment_deadline": _DATES,
    "financial_year": _TEXTS,
    "size_class": _TEXTS,
}


def _written_like(pattern: re.Pattern[str], what: str, example: str) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise PydanticCustomError(
                "written_like",
                "'{value}' is not a {what}; write it like '{example}'",
                {"value": value, "what": what, "example": example},
            )
        return value

    return AfterValidator(check)


Concept = Annotated[
    str, _written_like(re.compile(r"[A-Za-z_][\w.-]*:[A-Za-z_][\w.-]*", re.ASCII), "concept", "bd-i:ValueAddedTaxOwed")
]
ElementPath = Annotated[str, _written_like(PATH, "path of element names", "AdministratieveEenheid/LhNr")]
MessageType = Annotated[
    str, _written_like(re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*", re.ASCII), "message type", "btw-aangifte")
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Source(_Strict):
    """Where one summary field's value is in the document; exactly one of concept, path or sum_of."""

    concept: Concept | None = None
    path: ElementPath | None = None
    sum_of: list[Concept] | None = None
    part: Literal["value", "period_start", "period_end", "entity"] = "value"
    required: bool = False
    values: dict[str, str] | None = None

    @model_validator(mode="after")
    def _one_place(self) -> "Source":
        if sum(x is not None for x in (self.concept, self.path, self.sum_of)) != 1:
            raise PydanticCustomError("source", "give exactly one of 'concept', 'path' or 'sum_of'")
        if self.part != "value" and self.concept is None:
            raise PydanticCustomError(
                "part", "'part' other than 'value' needs a 'concept' (it reads the fact's context)"
            )
        return self

    def names(self) -> list[str]:
        return self.sum_of or [self.concept or self.path or ""]


class Fields(_Strict):
    identity_number: Source | None = None
    period_from: Source | None = None
    period_to: Source | None = None
    amount: Source | None = None
    payment_deadline: Source | None = None
    financial_year: Source | None = None
    size_class: Source | None = None

    @model_validator(mode="after")
    def _sources_fit_fields(self) -> "Fields":
        for name, source in self:
            if source is not None and source.sum_of is not None and name != "amount":
                raise PydanticCustomError(
                    "sum_of", "only 'amount' can be a sum ('sum_of'); {field} cannot", {"field": name}
                )
            if source is not None and source.part not in _PARTS[name]:
                raise PydanticCustomError(
                    "part",
                    "{field} cannot be read from part '{part}'; use one of {parts}",
                    {"field": name, "part": source.part, "parts": ", ".join(_PARTS[name])},
                )
        unknown = sorted(set(((self.size_class and self.size_class.values) or {}).values()) - set(SIZE_CLASSES))
        if unknown:
            raise PydanticCustomError(
                "size_class",
                "size_class values must be {allowed}; not {unknown}",
                {"allowed": ", ".join(SIZE_CLASSES), "unknown": ", ".join(unknown)},
            )
        return self


class Derive(_Strict):
    """Rules that fill a field the document does not give."""

    direction: Literal["sign_of_amount"] | None = None
    payment_deadline: Literal["one_month_after_period_end"] | None = None
    financial_year: Literal["years_of_period"] | None = None


class MessageTypeSummary(_Strict):
    format: Literal["xbrl", "xml"]
    fields: Fields
    derive: Derive = Derive()
    currency: str | None = None
    """The currency of a plain XML document's amounts, which carry no unit."""
    ignore_identity_prefix: str | None = None
    """A prefix the document may leave off the identity number (NL on an omzetbelastingnummer)."""

    @model_validator(mode="after")
    def _sources_fit_format(self) -> "MessageTypeSummary":
        wrong = "path" if self.format == "xbrl" else "concept"
        for name, source in self.fields:
            if source is not None and (source.path is None) == (self.format == "xml"):
                raise PydanticCustomError(
                    "format",
                    "field {field} uses a {wrong}, which a format '{format}' document does not have",
                    {"field": name, "wrong": wrong, "format": self.format},
                )
        return self

    def concepts(self) -> list[str]:
        return [name for _, source in self.fields if source and source.path is None for name in source.names()]


class SummaryConfig(_Strict):
    version: Literal[1]
    namespaces: dict[str, str] = {}
    """Prefix → namespace pattern; '*' stands for any text, so one entry covers every taxonomy version."""
    message_types: dict[MessageType, MessageTypeSummary] = {}

    @model_validator(mode="after")
    def _prefixes_declared(self) -> "SummaryConfig":
        for message_type, summary in self.message_types.items():
            for concept in summary.concepts():
                if concept.partition(":")[0] not in self.namespaces:
                    raise PydanticCustomError(
                        "prefix",
                        "{type}: the prefix of {concept} is not declared under 'namespaces'",
                        {"type": message_type, "concept": concept},
                    )
        return self
