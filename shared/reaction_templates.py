"""Reactiesjablonen: texts a comment may start from, configured per dossier item type (as in Profit), in each of
the portal's languages. Part of the configuration a set-up command publishes (``reaction_templates.yaml``):
workflow checks the file with ``parse`` before it publishes it, the portal reads the published one with it.

The file lists the templates of the item type in the order they are offered::

    Accorderingsbericht:
      - key: bedrag-klopt-niet
        nl: {title: Bedrag klopt niet, text: "Het bedrag in de aangifte klopt niet. ..."}
        en: {title: The amount is wrong, text: "The amount in the declaration is wrong. ..."}

The older form, ``name: text`` per template, still reads, as Dutch only.
"""

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.item_type import ITEM_TYPE

FILE = "reaction_templates.yaml"
LANGUAGES = ("nl", "en")


class Wording(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1, max_length=100, description="What the list of templates shows.")
    text: str = Field(min_length=1, max_length=4000, description="What the comment becomes.")


class ReactionTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(min_length=1, max_length=100, description="The same in every language: what the form sends.")
    nl: Wording | None = None
    en: Wording | None = None

    def in_language(self, language: str) -> Wording | None:
        wording: Wording | None = getattr(self, language, None)
        return wording


def parse(text: str | None) -> list[ReactionTemplate]:
    """The templates of Accorderingsbericht in ``text`` (none for no file). ValueError saying what is wrong."""
    try:
        document = yaml.safe_load(text or "") or {}
    except yaml.YAMLError as error:
        raise ValueError(f"not YAML: {error}") from None
    listed = document.get(ITEM_TYPE, []) if isinstance(document, dict) else None
    if isinstance(listed, dict):  # the older form: name → Dutch text
        listed = [{"key": str(name), "nl": {"title": str(name), "text": text}} for name, text in listed.items()]
    if not isinstance(listed, list):
        raise ValueError(f"{ITEM_TYPE} must list its reaction templates (key, and nl and/or en)")
    try:
        templates = [ReactionTemplate.model_validate(entry) for entry in listed]
    except ValidationError as error:
        raise ValueError(f"a reaction template of {ITEM_TYPE} is not as described: {error}") from None
    if unworded := [t.key for t in templates if not any(t.in_language(lang) for lang in LANGUAGES)]:
        raise ValueError(f"reaction templates without a wording in {' or '.join(LANGUAGES)}: {unworded}")
    if len({t.key for t in templates}) < len(templates):
        raise ValueError(f"two reaction templates of {ITEM_TYPE} have the same key")
    return templates


def dump(templates: list[ReactionTemplate]) -> str:
    """The file for ``templates``, in their order; ``parse`` reads it back."""
    listed = [t.model_dump(exclude_none=True) for t in templates]
    return yaml.safe_dump({ITEM_TYPE: listed}, sort_keys=False, allow_unicode=True, width=120)
