"""A workflow on the set-up pages: as its form shows it, and the form's answers made into a workflow file.

What the form may change is what the source document lets an administrator change: who handles the two tasks
the client sees ("Beoordelen aangifte klant", "Beoordelen reactie van klant"), the task manager and the deadlines.
The tasks and their actions come unchanged from the workflow it is based on, so the required actions stay.
"""

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from services.portal.i18n import N_
from services.portal.setup.files import WORKFLOWS, as_yaml, workflows_of

CLIENT_TASK = "Beoordelen aangifte klant"
OFFICE_TASK = "Beoordelen reactie van klant"
EDITABLE_TASKS = (CLIENT_TASK, OFFICE_TASK)
CONTACTS = "@destination"
"""Workflow's name for the contacts (portal users) of the declaration's client."""


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


def with_workflow(files: Mapping[str, str], document: Mapping[str, Any]) -> dict[str, str]:
    """The version's files with ``document`` in its own file (an edited workflow keeps the file it had)."""
    existing = workflows_of(files).get(str(document["name"]))
    path = existing[0] if existing else new_file(files, str(document["name"]))
    return {**files, path: as_yaml(document)}


def new_file(files: Mapping[str, str], name: str) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "workflow"
    path, number = f"{WORKFLOWS}{stem}.yaml", 2
    while path in files:
        path, number = f"{WORKFLOWS}{stem}-{number}.yaml", number + 1
    return path
