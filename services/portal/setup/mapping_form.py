"""The mapping of message types to workflows on the set-up pages: an ordered list of rules, the first that matches
a message wins; the form's rows made into ``routes.yaml``, and the preview of where a message goes."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from services.portal.i18n import N_
from services.portal.setup.files import ROUTES, as_yaml


@dataclass(frozen=True)
class Rule:
    """One row of the mapping: a message type (with characteristics) and the workflow it enters."""

    message_type: str
    characteristics: str
    """As the form shows them: ``vestiging=Utrecht; jaar=2024``."""
    workflow: str

    @classmethod
    def of(cls, rule: Mapping[str, Any]) -> "Rule":
        pairs = (rule.get("characteristics") or {}).items()
        return cls(str(rule["message_type"]), "; ".join(f"{k}={v}" for k, v in pairs), str(rule["workflow"]))

    def pairs(self) -> dict[str, str]:
        """The characteristics; raises ValueError for a part that is not ``name=value``."""
        found = {}
        for part in filter(None, (p.strip() for p in self.characteristics.split(";"))):
            key, equals, value = part.partition("=")
            if not equals or not key.strip() or not value.strip():
                raise ValueError(part)
            found[key.strip()] = value.strip()
        return found

    def matches(self, message_type: str, characteristics: Mapping[str, str]) -> bool:
        return self.message_type == message_type and all(characteristics.get(k) == v for k, v in self.pairs().items())


def rules_of(files: Mapping[str, str]) -> list[Rule]:
    return [Rule.of(r) for r in yaml.safe_load(files.get(ROUTES) or "") or []]


def answered_rules(form: Mapping[str, str], count: int) -> tuple[list[Rule], dict[str, str]]:
    """The rows the mapping form sent (``count`` of them, the last one new), in the order their numbers give,
    without those marked to be removed or left empty; and what is wrong per row."""
    rows: list[tuple[float, int, Rule]] = []
    mistakes = {}
    for number in range(count):
        field = f"regel-{number}"
        rule = Rule(
            form.get(f"{field}-soort", "").strip(),
            form.get(f"{field}-kenmerken", "").strip(),
            form.get(f"{field}-workflow", "").strip(),
        )
        if form.get(f"{field}-weg") or not (rule.message_type or rule.characteristics):
            continue
        try:
            rule.pairs()
        except ValueError:
            mistakes[field] = N_("Schrijf kenmerken als naam=waarde, gescheiden door puntkomma's.")
        if not rule.workflow:
            mistakes[field] = N_("Kies de workflow van deze regel.")
        if not rule.message_type:
            mistakes[field] = N_("Geef het berichttype van deze regel.")
        try:
            place = float(form.get(f"{field}-volgorde", "").replace(",", ".") or number + 1)
        except ValueError:
            place = number + 1
        rows.append((place, number, rule))
    return [rule for _, _, rule in sorted(rows, key=lambda row: row[:2])], mistakes


def with_rules(files: Mapping[str, str], rules: list[Rule]) -> dict[str, str]:
    document = [
        {
            "message_type": r.message_type,
            **({"characteristics": r.pairs()} if r.characteristics else {}),
            "workflow": r.workflow,
        }
        for r in rules
    ]
    return {**files, ROUTES: as_yaml(document)}


def preview(rules: list[Rule], message_type: str, characteristics: str) -> tuple[int, Rule] | None:
    """The first rule (its number, from 1) a message of that type with those characteristics matches."""
    asked = Rule(message_type, characteristics, "").pairs()
    return next(((n, r) for n, r in enumerate(rules, start=1) if r.matches(message_type, asked)), None)
