"""Reactiesjablonen: texts a comment may start from, configured per dossier item type (as in Profit), in each of
the portal's languages.

``reaction_templates.yaml`` lists them for the item type in the order they are offered::

    Accorderingsbericht:
      - key: bedrag-klopt-niet
        nl: {title: Bedrag klopt niet, text: "Het bedrag in de aangifte klopt niet. ..."}
        en: {title: The amount is wrong, text: "The amount in the declaration is wrong. ..."}

A template is offered only in the languages it has a wording in: an English page never offers a Dutch text.
The older form, ``name: text`` per template, still reads, as Dutch only.
"""

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.portal.i18n import LANGUAGES

ITEM_TYPE = "Accorderingsbericht"


class Wording(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1, description="What the list of templates shows.")
    text: str = Field(min_length=1, description="What the comment becomes.")


class ReactionTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(min_length=1, description="The same in every language: what the form sends.")
    nl: Wording | None = None
    en: Wording | None = None

    def in_language(self, language: str) -> Wording | None:
        wording: Wording | None = getattr(self, language, None)
        return wording


class ReactionTemplates:
    """The templates of the item type, in their order."""

    def __init__(self, templates: list[ReactionTemplate] | None = None):
        self.templates = templates or []

    def offered(self, language: str) -> list[tuple[str, str]]:
        """(key, title) of each template that has a wording in ``language``."""
        return [(t.key, wording.title) for t in self.templates if (wording := t.in_language(language))]

    def text(self, key: str, language: str) -> str:
        """The text of template ``key`` in ``language``; '' for none."""
        for template in self.templates:
            if template.key == key and (wording := template.in_language(language)):
                return wording.text
        return ""


def load_reactions(path: Path) -> ReactionTemplates:
    """The reaction templates of Accorderingsbericht; none when the file is absent. ValueError, naming the file
    and what is wrong, for a file that is not as described above."""
    if not path.exists():
        return ReactionTemplates()
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    listed = document.get(ITEM_TYPE) if isinstance(document, dict) else None
    if isinstance(listed, dict):  # the older form: name → Dutch text
        listed = [{"key": str(name), "nl": {"title": str(name), "text": text}} for name, text in listed.items()]
    if not isinstance(listed, list):
        raise ValueError(f"{path}: {ITEM_TYPE} must list its reaction templates (key, and nl and/or en)")
    try:
        templates = [ReactionTemplate.model_validate(entry) for entry in listed]
    except ValidationError as error:
        raise ValueError(f"{path}: a reaction template of {ITEM_TYPE} is not as described: {error}") from None
    if unworded := [t.key for t in templates if not any(t.in_language(lang) for lang in LANGUAGES)]:
        raise ValueError(f"{path}: reaction templates without a wording in {' or '.join(LANGUAGES)}: {unworded}")
    if len({t.key for t in templates}) < len(templates):
        raise ValueError(f"{path}: two reaction templates of {ITEM_TYPE} have the same key")
    return ReactionTemplates(templates)
