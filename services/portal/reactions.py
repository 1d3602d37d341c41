"""Reactiesjablonen as the portal offers them: the templates of the version in use (``shared.reaction_templates``
says the file), each in the languages it has a wording in (an English page never offers a Dutch text). Before
any published version holds templates, those of the configuration folder's file."""

from pathlib import Path

from shared.reaction_templates import ReactionTemplate, parse


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
    """The templates of the file at ``path``; none when it is absent. ValueError, naming the file and what is
    wrong, for a file that is not as ``shared.reaction_templates`` describes."""
    if not path.exists():
        return ReactionTemplates()
    try:
        return ReactionTemplates(parse(path.read_text(encoding="utf-8")))
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
