"""Applying ``based_on``: a workflow inherits its base's tasks and overrides what it names."""

from dataclasses import dataclass, replace

from .definition import ActionDefinition, TaskDefinition, WorkflowDefinition
from .documents import TaskDocument, WorkflowDocument
from .problems import ValidationProblem


@dataclass(frozen=True)
class Source:
    """A parsed workflow file, or the file of one that did not parse (``document`` None)."""

    file: str
    document: WorkflowDocument | None


@dataclass(frozen=True)
class _Parsed:
    """A source whose document parsed: what the resolver works on."""

    file: str
    document: WorkflowDocument


def resolve_all(sources: dict[str, Source]) -> tuple[dict[str, WorkflowDefinition], list[ValidationProblem]]:
    """Every workflow that can be resolved, flat, plus the problems met on the way."""
    resolver = _Resolver(sources)
    resolved = {name: resolver.resolve(name) for name, s in sources.items() if s.document is not None}
    return {n: d for n, d in resolved.items() if d is not None}, resolver.problems


class _Resolver:
    def __init__(self, sources: dict[str, Source]) -> None:
        self.sources = sources
        self.problems: list[ValidationProblem] = []
        self.done: dict[str, WorkflowDefinition | None] = {}
        self.visiting: list[str] = []
        self.cycles: dict[str, str] = {}

    def resolve(self, name: str) -> WorkflowDefinition | None:
        if name not in self.done:
            self.visiting.append(name)
            self.done[name] = self._resolve(name, self.sources[name])
            self.visiting.pop()
        return self.done[name]

    def _resolve(self, name: str, source: Source) -> WorkflowDefinition | None:
        document = source.document
        assert document is not None
        parsed = _Parsed(source.file, document)
        own_tasks = self._unique_tasks(parsed)
        if document.based_on is None:
            return self._resolve_base(parsed, own_tasks)
        base = self._base_of(parsed, document.based_on)
        if base is None:
            return None
        tasks = _merge_tasks(base.tasks, own_tasks)
        tasks = self._override(parsed, tasks)
        return WorkflowDefinition(
            name=name,
            start_task=document.start_task or base.start_task,
            task_manager=document.task_manager if "task_manager" in document.model_fields_set else base.task_manager,
            tasks=tasks,
        )

    def _base_of(self, source: _Parsed, base_name: str) -> WorkflowDefinition | None:
        """The resolved base; None, with the problem noted, when there is none to apply."""
        name = source.document.name
        if base_name not in self.sources:
            self._problem(source, f"based_on names unknown workflow '{base_name}'")
            return None
        base_source = self.sources[base_name]
        if base_source.document is None:
            message = f"cannot apply based_on: base workflow '{base_name}' ({base_source.file}) has errors"
            self._problem(source, message)
            return None
        if base_name in self.visiting:
            members = self.visiting[self.visiting.index(base_name) :]
            text = "based_on forms a cycle: " + " → ".join([*members, base_name])
            self.cycles.update(dict.fromkeys(members, text))
            self._problem(source, text)
            return None
        base = self.resolve(base_name)
        if base is None:
            message = self.cycles.get(name, f"cannot apply based_on: base workflow '{base_name}' has errors")
            self._problem(source, message)
        return base

    def _resolve_base(self, source: _Parsed, tasks: tuple[TaskDefinition, ...]) -> WorkflowDefinition:
        document = source.document
        for key in ("assignees", "deadlines"):
            if getattr(document, key):
                self._problem(source, f"'{key}' overrides are only allowed in a workflow with based_on")
        return WorkflowDefinition(
            name=document.name, start_task=document.start_task or "", task_manager=document.task_manager, tasks=tasks
        )

    def _unique_tasks(self, source: _Parsed) -> tuple[TaskDefinition, ...]:
        tasks: dict[str, TaskDefinition] = {}
        for task in source.document.tasks:
            if task.name in tasks:
                self._problem(source, "duplicate task name; each task may be defined once", task=task.name)
            else:
                tasks[task.name] = _task(task)
        return tuple(tasks.values())

    def _override(self, source: _Parsed, tasks: tuple[TaskDefinition, ...]) -> tuple[TaskDefinition, ...]:
        by_name = {t.name: t for t in tasks}
        document = source.document
        for task_name, assignees in document.assignees.items():
            if self._overridable(source, "assignees", task_name, by_name):
                by_name[task_name] = replace(by_name[task_name], assignees=tuple(assignees))
        for task_name, hours in document.deadlines.items():
            if self._overridable(source, "deadlines", task_name, by_name):
                by_name[task_name] = replace(by_name[task_name], deadline_hours=hours)
        return tuple(by_name.values())

    def _overridable(self, source: _Parsed, key: str, task_name: str, tasks: dict[str, TaskDefinition]) -> bool:
        """Whether the task an override names exists; notes the problem when not."""
        if task_name not in tasks:
            self._problem(source, f"'{key}' override names unknown task '{task_name}'", task=task_name)
            return False
        return True

    def _problem(self, source: _Parsed, message: str, task: str | None = None) -> None:
        workflow = source.document.name
        self.problems.append(ValidationProblem(file=source.file, workflow=workflow, task=task, message=message))


def _merge_tasks(inherited: tuple[TaskDefinition, ...], own: tuple[TaskDefinition, ...]) -> tuple[TaskDefinition, ...]:
    """Own tasks replace inherited ones of the same name in place; the rest are added at the end."""
    own_by_name = {t.name: t for t in own}
    merged = [own_by_name.pop(t.name, t) for t in inherited]
    return (*merged, *own_by_name.values())


def _task(document: TaskDocument) -> TaskDefinition:
    return TaskDefinition(
        name=document.name,
        assignees=tuple(document.assignees),
        actions=tuple(ActionDefinition(a.name, a.leads_to) for a in document.actions),
        deadline_hours=document.deadline_hours,
    )
