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
        own_tasks = self._unique_tasks(source)
        if document.based_on is None:
            return self._resolve_base(source, own_tasks)
        base = self._base_of(source)
        if base is None:
            return None
        tasks = _merge_tasks(base.tasks, own_tasks)
        tasks = self._override(source, tasks)
        return WorkflowDefinition(
            name=name,
            start_task=document.start_task or base.start_task,
            task_manager=document.task_manager if "task_manager" in document.model_fields_set else base.task_manager,
            tasks=tasks,
        )

    def _base_of(self, source: Source) -> WorkflowDefinition | None:
        name, base_name = source.document.name, source.document.based_on
        if base_name not in self.sources:
            return self._problem(source, f"based_on names unknown workflow '{base_name}'")
        base_source = self.sources[base_name]
        if base_source.document is None:
            message = f"cannot apply based_on: base workflow '{base_name}' ({base_source.file}) has errors"
            return self._problem(source, message)
        if base_name in self.visiting:
            members = self.visiting[self.visiting.index(base_name) :]
            text = "based_on forms a cycle: " + " → ".join([*members, base_name])
            self.cycles.update(dict.fromkeys(members, text))
            return self._problem(source, text)
        base = self.resolve(base_name)
        if base is None:
            message = self.cycles.get(name, f"cannot apply based_on: base workflow '{base_name}' has errors")
            return self._problem(source, message)
        return base

    def _resolve_base(self, source: Source, tasks: tuple[TaskDefinition, ...]) -> WorkflowDefinition:
        document = source.document
        for key in ("assignees", "deadlines"):
            if getattr(document, key):
                self._problem(source, f"'{key}' overrides are only allowed in a workflow with based_on")
        return WorkflowDefinition(
            name=document.name, start_task=document.start_task or "", task_manager=document.task_manager, tasks=tasks
        )

    def _unique_tasks(self, source: Source) -> tuple[TaskDefinition, ...]:
        tasks: dict[str, TaskDefinition] = {}
        for task in source.document.tasks:
            if task.name in tasks:
                self._problem(source, "duplicate task name; each task may be defined once", task=task.name)
            else:
                tasks[task.name] = _task(task)
        return tuple(tasks.values())

    def _override(self, source: Source, tasks: tuple[TaskDefinition, ...]) -> tuple[TaskDefinition, ...]:
        by_name = {t.name: t for t in tasks}
        document = source.document
        overrides = [("assignees", n, {"assignees": tuple(v)}) for n, v in document.assignees.items()]
        overrides += [("deadlines", n, {"deadline_hours": v}) for n, v in document.deadlines.items()]
        for key, task_name, change in overrides:
            if task_name not in by_name:
                self._problem(source, f"'{key}' override names unknown task '{task_name}'", task=task_name)
            else:
                by_name[task_name] = replace(by_name[task_name], **change)
        return tuple(by_name.values())

    def _problem(self, source: Source, message: str, task: str | None = None) -> None:
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
