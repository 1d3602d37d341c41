"""Reaction templates on the set-up pages: the form's rows (as shown, and as sent, kept as typed to show again),
made into ``reaction_templates.yaml`` in the order their numbers give."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from services.portal.i18n import N_
from shared import reaction_templates
from shared.reaction_templates import ReactionTemplate, Wording

BOTH = N_("Geef in een taal zowel een titel als een tekst, of laat die taal leeg.")


@dataclass(frozen=True)
class TemplateRow:
    """One row of the reaction templates' form, as shown or as sent (kept as typed, to show again)."""

    key: str = ""
    """'' for a new template."""
    wordings: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """Language → (title, text)."""
    place: str = ""
    removed: bool = False

    @classmethod
    def of(cls, template: ReactionTemplate) -> "TemplateRow":
        wordings = {
            language: (wording.title, wording.text)
            for language in reaction_templates.LANGUAGES
            if (wording := template.in_language(language))
        }
        return cls(template.key, wordings)

    @classmethod
    def sent(cls, form: Mapping[str, str], number: int) -> "TemplateRow":
        field = f"sjabloon-{number}"
        return cls(
            key=form.get(f"{field}-sleutel", "").strip(),
            wordings={
                language: (
                    form.get(f"{field}-{language}-titel", "").strip(),
                    form.get(f"{field}-{language}-tekst", "").strip(),
                )
                for language in reaction_templates.LANGUAGES
            },
            place=form.get(f"{field}-volgorde", "").strip(),
            removed=bool(form.get(f"{field}-weg")),
        )

    def title(self) -> str:
        return next((title for title, _ in self.wordings.values() if title), "")

    def wording(self, language: str) -> tuple[str, str]:
        return self.wordings.get(language, ("", ""))


def template_rows(templates: list[ReactionTemplate]) -> list[TemplateRow]:
    """The form's rows: each template, then one for a new template."""
    return [*(TemplateRow.of(t) for t in templates), TemplateRow()]


def answered_templates(
    form: Mapping[str, str], count: int
) -> tuple[list[ReactionTemplate], dict[str, str], list[TemplateRow]]:
    """The templates the form sent (``count`` rows, the last one new), in the order their numbers give, without
    those marked to be removed or left empty; what is wrong per row; and the rows as sent, to show again. A new
    template's key is made from its title; an existing one keeps its key, so a form that chose it still finds it."""
    sent = [TemplateRow.sent(form, number) for number in range(count)]
    keys = {row.key for row in sent if row.key}
    chosen: list[tuple[float, int, ReactionTemplate]] = []
    mistakes: dict[str, str] = {}
    for number, row in enumerate(sent):
        if row.removed or not any(title or text for title, text in row.wordings.values()):
            continue
        if any(bool(title) != bool(text) for title, text in row.wordings.values()):
            mistakes[f"sjabloon-{number}"] = N_(
                "Geef in een taal zowel een titel als een tekst, of laat die taal leeg."
            )
            continue
        key = row.key
        if not key:
            key = _key(row.title(), keys)
            keys.add(key)
        template = ReactionTemplate(
            key=key,
            **{language: Wording(title=title, text=text) for language, (title, text) in row.wordings.items() if title},
        )
        try:
            place = float(row.place.replace(",", ".") or number + 1)
        except ValueError:
            place = number + 1
        chosen.append((place, number, template))
    return [template for _, _, template in sorted(chosen, key=lambda row: row[:2])], mistakes, sent


def with_templates(files: Mapping[str, str], templates: list[ReactionTemplate]) -> dict[str, str]:
    return {**files, reaction_templates.FILE: reaction_templates.dump(templates)}


def _key(title: str, taken: set[str]) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "sjabloon"
    key, number = stem, 2
    while key in taken:
        key, number = f"{stem}-{number}", number + 1
    return key
