"""The set-up pages' pure part: a workflow as its form shows it and the form's answers made into a workflow file,
the mapping of message types as rows and made into ``routes.yaml``, the preview of the mapping, and where each of
workflow's problems belongs on the page, in the reader's words.

What the form may change is what the source document lets an administrator change: who handles the two tasks
the client sees ("Beoordelen aangifte klant", "Beoordelen reactie van klant"), the task manager and the deadlines.
The tasks and their actions come unchanged from the workflow it is based on, so the required actions stay.
"""

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import yaml

from services.portal.i18n import N_
from shared import item_type, reaction_templates
from shared.reaction_templates import ReactionTemplate, Wording

CLIENT_TASK = "Beoordelen aangifte klant"
OFFICE_TASK = "Beoordelen reactie van klant"
EDITABLE_TASKS = (CLIENT_TASK, OFFICE_TASK)
CONTACTS = "@destination"
"""Workflow's name for the contacts (portal users) of the declaration's client."""
WORKFLOWS = "workflows/"
ROUTES = "routes.yaml"
USERS = "users.yaml"


class Handler(StrEnum):
    CONTACTS = "contacts"
    GROUP = "group"
    USERS = "users"


@dataclass(frozen=True)
class TaskChoice:
    """Who handles one task, and its deadline, as the form shows and sends them."""

    task: str
    handler: Handler
    group: str = ""
    users: str = ""
    """User names, separated by commas."""
    deadline: str = ""
    """Hours, as typed ('' for none)."""

    @classmethod
    def of(cls, task: Mapping[str, Any]) -> "TaskChoice":
        assignees = [str(a) for a in task.get("assignees", [])]
        hours = task.get("deadline_hours")
        deadline = "" if hours is None else f"{float(hours):g}"
        if assignees == [CONTACTS]:
            return cls(task["name"], Handler.CONTACTS, deadline=deadline)
        if len(assignees) == 1 and assignees[0].startswith("@"):
            return cls(task["name"], Handler.GROUP, group=assignees[0][1:], deadline=deadline)
        return cls(task["name"], Handler.USERS, users=", ".join(assignees), deadline=deadline)

    def assignees(self) -> list[str]:
        if self.handler is Handler.CONTACTS:
            return [CONTACTS]
        if self.handler is Handler.GROUP:
            return [f"@{self.group}"] if self.group else []
        return [u for u in (part.strip() for part in self.users.split(",")) if u]

    def hours(self) -> float | None:
        """The deadline in hours; None for none. Raises ValueError for anything else."""
        if not self.deadline.strip():
            return None
        hours = float(self.deadline.strip().replace(",", "."))
        if not hours > 0 or hours != hours:
            raise ValueError(self.deadline)
        return hours


@dataclass(frozen=True)
class WorkflowForm:
    name: str
    basis: str
    """The workflow this one starts from: itself when editing one."""
    task_manager: str
    tasks: tuple[TaskChoice, ...]
    new: bool

    @classmethod
    def of(cls, document: Mapping[str, Any], *, basis: str, new: bool) -> "WorkflowForm":
        """The form for ``document`` (a workflow as a published version holds it)."""
        return cls(
            name="" if new else document["name"],
            basis=basis,
            task_manager=str(document.get("task_manager") or ""),
            tasks=tuple(TaskChoice.of(t) for t in document.get("tasks", []) if t["name"] in EDITABLE_TASKS),
            new=new,
        )

    @classmethod
    def answered(cls, form: Mapping[str, str], basis: Mapping[str, Any], *, new: bool) -> "WorkflowForm":
        """What the form sent, for the tasks ``basis`` has; the name of an edited workflow is its own."""
        tasks = []
        for number, task in enumerate(t for t in basis.get("tasks", []) if t["name"] in EDITABLE_TASKS):
            handler = form.get(f"taak-{number}-wie", "")
            tasks.append(
                TaskChoice(
                    task["name"],
                    Handler(handler) if handler in Handler.__members__.values() else Handler.USERS,
                    group=form.get(f"taak-{number}-groep", "").strip(),
                    users=form.get(f"taak-{number}-gebruikers", "").strip(),
                    deadline=form.get(f"taak-{number}-termijn", "").strip(),
                )
            )
        return cls(
            name=form.get("naam", "").strip() if new else str(basis["name"]),
            basis=str(basis["name"]),
            task_manager=form.get("taakbeheerder", "").strip(),
            tasks=tuple(tasks),
            new=new,
        )

    def mistakes(self, taken: Callable[[str], bool]) -> dict[str, str]:
        """What the portal itself can tell is wrong before workflow judges it: field → text (to translate)."""
        found = {}
        if self.new and not self.name:
            found["naam"] = N_("Geef de workflow een naam.")
        elif self.new and taken(self.name):
            found["naam"] = N_("Er is al een workflow met deze naam; kies een andere naam.")
        for number, task in enumerate(self.tasks):
            try:
                task.hours()
            except ValueError:
                found[f"taak-{number}"] = N_("Geef de termijn als een aantal uren, bijvoorbeeld 72, of laat hem leeg.")
        return found

    def document(self, basis: Mapping[str, Any]) -> dict[str, Any]:
        """The workflow file: ``basis`` (tasks and actions unchanged) with this form's name, task manager,
        handlers and deadlines."""
        document = copy.deepcopy(dict(basis))
        document["name"] = self.name
        if self.task_manager:
            document["task_manager"] = self.task_manager
        else:
            document.pop("task_manager", None)
        chosen = {t.task: t for t in self.tasks}
        for task in document.get("tasks", []):
            if choice := chosen.get(task["name"]):
                task["assignees"] = choice.assignees()
                hours = choice.hours()
                if hours is None:
                    task.pop("deadline_hours", None)
                else:
                    task["deadline_hours"] = hours
        return document


def workflows_of(files: Mapping[str, str]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each workflow of a version by name → (its file, its document)."""
    found = {}
    for path, text in sorted(files.items()):
        if path.startswith(WORKFLOWS):
            document = yaml.safe_load(text) or {}
            found[str(document.get("name", path))] = (path, document)
    return found


def groups_of(files: Mapping[str, str]) -> list[str]:
    return sorted((yaml.safe_load(files.get(USERS) or "") or {}).get("groups", {}) or {})


def with_workflow(files: Mapping[str, str], document: Mapping[str, Any]) -> dict[str, str]:
    """The version's files with ``document`` in its own file (an edited workflow keeps the file it had)."""
    existing = workflows_of(files).get(str(document["name"]))
    path = existing[0] if existing else new_file(files, str(document["name"]))
    return {**files, path: _yaml(document)}


def new_file(files: Mapping[str, str], name: str) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "workflow"
    path, number = f"{WORKFLOWS}{stem}.yaml", 2
    while path in files:
        path, number = f"{WORKFLOWS}{stem}-{number}.yaml", number + 1
    return path


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
    return {**files, ROUTES: _yaml(document)}


def preview(rules: list[Rule], message_type: str, characteristics: str) -> tuple[int, Rule] | None:
    """The first rule (its number, from 1) a message of that type with those characteristics matches."""
    asked = Rule(message_type, characteristics, "").pairs()
    return next(((n, r) for n, r in enumerate(rules, start=1) if r.matches(message_type, asked)), None)


def settings_of(files: Mapping[str, str]) -> item_type.ItemTypeSettings:
    """The item type's settings in the version (the defaults when it has none)."""
    return item_type.parse(files.get(item_type.FILE))


def with_settings(files: Mapping[str, str], confidential: bool) -> dict[str, str]:
    return {**files, item_type.FILE: item_type.dump(item_type.ItemTypeSettings(confidential=confidential))}


def templates_of(files: Mapping[str, str]) -> list[ReactionTemplate]:
    """The version's reaction templates (workflow checked the file before publishing it)."""
    return reaction_templates.parse(files.get(reaction_templates.FILE))


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


def _yaml(document: object) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)
