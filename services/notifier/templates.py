"""Mail templates: Jinja2, plain text, in Dutch; ``<workflow>/<task>.txt.j2`` if there is one, else ``default.txt.j2``.

A template's first line is the subject, written ``Onderwerp: …``; the rest is
the body. Data from events only ever enter as variables (never as template
source), so a subject like ``{{ 7*7 }}`` is printed as it is. No autoescaping:
this is text mail, not HTML.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

SUBJECT_PREFIX = "Onderwerp:"
DEFAULT_TEMPLATE = "default.txt.j2"
SUFFIX = ".txt.j2"


class TemplateProblem(ValueError):
    """A template that cannot be rendered: a configuration error, reported at start."""


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    body: str


class MailTemplates:
    def __init__(self, folder: Path):
        self.folder = folder
        self.env = Environment(
            loader=FileSystemLoader(folder),
            autoescape=False,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )

    def render(self, workflow: str, task: str, variables: Mapping[str, object]) -> RenderedMail:
        try:
            template = self.env.select_template(candidates(workflow, task))
            return split_subject(template.render(variables), template.name)
        except TemplateError as error:
            raise TemplateProblem(f"mail template for {workflow}/{task} in {self.folder}: {error}") from error

    def check(self, samples: Iterable[Mapping[str, object]]) -> None:
        """Render every template with every sample; raise TemplateProblem naming each that fails."""
        names = [n for n in self.env.list_templates() if n.endswith(SUFFIX)]
        if DEFAULT_TEMPLATE not in names:
            raise TemplateProblem(f"no {DEFAULT_TEMPLATE} in {self.folder}")
        problems = [problem for sample in samples for name in names if (problem := self._problem(name, sample))]
        if problems:
            raise TemplateProblem("; ".join(dict.fromkeys(problems)))

    def _problem(self, name: str, sample: Mapping[str, object]) -> str | None:
        try:
            split_subject(self.env.get_template(name).render(sample), name)
        except (TemplateError, TemplateProblem) as error:
            return f"{name}: {error}"
        return None


def candidates(workflow: str, task: str) -> list[str]:
    """The templates to try, in order; names that could leave the folder only ever get the default."""
    if _plain(workflow) and _plain(task):
        return [f"{workflow}/{task}{SUFFIX}", DEFAULT_TEMPLATE]
    return [DEFAULT_TEMPLATE]


def split_subject(text: str, name: str | None) -> RenderedMail:
    first, _, body = text.lstrip("\n").partition("\n")
    if not first.startswith(SUBJECT_PREFIX):
        raise TemplateProblem(f"{name}: the first line must be the subject, 'Onderwerp: …'")
    return RenderedMail(subject=" ".join(first.removeprefix(SUBJECT_PREFIX).split()), body=body.lstrip("\n"))


def _plain(name: str) -> bool:
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(".")
