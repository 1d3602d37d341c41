"""Routes: an ordered list of rules choosing the workflow for a message type; first match wins."""

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .problems import ValidationProblem, describe_error
from .yaml_text import YamlTextError, parse_yaml


class RouteRule(BaseModel):
    # Characteristics arrive as strings; `jaar: 2024` in YAML is meant as "2024".
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)

    message_type: str = Field(min_length=1)
    characteristics: dict[str, str] = {}
    workflow: str = Field(min_length=1)

    def matches(self, message_type: str, characteristics: Mapping[str, str]) -> bool:
        return self.message_type == message_type and all(
            characteristics.get(key) == value for key, value in self.characteristics.items()
        )

    def shadows(self, later: "RouteRule") -> bool:
        """Whether every message ``later`` matches is matched by this rule first."""
        return self.message_type == later.message_type and self.characteristics.items() <= later.characteristics.items()


def choose_workflow(
    routes: Sequence[RouteRule], message_type: str, characteristics: Mapping[str, str] | None = None
) -> str | None:
    """The workflow of the first rule that matches, or None: the item waits for a route."""
    characteristics = characteristics or {}
    return next((r.workflow for r in routes if r.matches(message_type, characteristics)), None)


def parse_routes(document: Any, file: str = "routes.yaml") -> tuple[tuple[RouteRule, ...], list[ValidationProblem]]:
    """The rules in ``document`` (YAML text, or already parsed); a bad rule is reported and left out."""
    try:
        data = parse_yaml(document) if isinstance(document, str) else document
    except YamlTextError as error:
        return (), [ValidationProblem(file=file, message=str(error))]
    if data is None:
        return (), []
    if not isinstance(data, list):
        return (), [ValidationProblem(file=file, message="the routes file must be a list of rules")]
    rules, problems = [], []
    for number, entry in enumerate(data, start=1):
        try:
            rules.append((number, RouteRule.model_validate(entry)))
        except ValidationError as error:
            problems += [
                ValidationProblem(file=file, message=f"rule {number}: {describe_error(e)}") for e in error.errors()
            ]
    problems += _shadowed(rules, file)
    return tuple(rule for _, rule in rules), problems


def _shadowed(rules: list[tuple[int, RouteRule]], file: str) -> list[ValidationProblem]:
    problems = []
    for i, (number, rule) in enumerate(rules):
        first = next((n for n, earlier in rules[:i] if earlier.shadows(rule)), None)
        if first is not None:
            message = f"rule {number} ({rule.message_type}) never matches: rule {first} matches the same messages first"
            problems.append(ValidationProblem(file=file, message=message))
    return problems
