"""Validating all workflow files and the routes at once, listing every problem found."""

from collections.abc import Collection, Mapping
from typing import Any

from pydantic import ValidationError

from .checks import check_definition
from .definition import WorkflowDefinition
from .directory import Directory
from .documents import WorkflowDocument
from .problems import Location, ValidationProblem, problems_from_pydantic
from .resolution import Source, resolve_all
from .routing import parse_routes
from .yaml_text import YamlTextError, parse_yaml

PUBLISHED = "De workflow is succesvol gepubliceerd."


def validate(
    files: Mapping[str, Any], directory: Directory | None = None
) -> tuple[dict[str, WorkflowDefinition], list[ValidationProblem]]:
    """Resolve and check every workflow in ``files`` (file name → YAML text, or an already parsed document).

    Returns every workflow that could be resolved and every problem in any of
    them; publish only when the problems are empty. With a ``directory``,
    assignees naming an unknown group are problems too.
    """
    problems: list[ValidationProblem] = []
    sources: dict[str, Source] = {}
    for file in sorted(files):
        read = _read(file, files[file], problems)
        if read is None:
            continue
        name, source = read
        if name in sources:
            message = f"workflow name '{name}' is already used by {sources[name].file}"
            problems.append(ValidationProblem(file=file, workflow=name, message=message))
        else:
            sources[name] = source
    definitions, resolution_problems = resolve_all(sources)
    problems += resolution_problems
    for name, definition in definitions.items():
        problems += check_definition(definition, sources[name].file, directory)
    return definitions, sorted(problems, key=lambda p: p.file)


def validate_routes(
    routes_document: Any, known_workflows: Collection[str], file: str = "routes.yaml"
) -> list[ValidationProblem]:
    """Problems in the routes (YAML text or parsed list), also routes to workflows not in ``known_workflows``."""
    rules, problems = parse_routes(routes_document, file)
    for rule in rules:
        if rule.workflow not in known_workflows:
            message = f"route for message type '{rule.message_type}' names unknown workflow '{rule.workflow}'"
            problems.append(ValidationProblem(file=file, workflow=rule.workflow, message=message))
    return problems


def publish_report(problems: list[ValidationProblem], workflows: Collection[str]) -> list[str]:
    """The lines to show: every problem, or the success message per workflow when there are none."""
    if problems:
        return [str(p) for p in problems]
    return [f"{name}: {PUBLISHED}" for name in sorted(workflows)]


def _read(file: str, content: Any, problems: list[ValidationProblem]) -> tuple[str, Source] | None:
    """The workflow's name and document; a file that fails the schema still claims its name."""
    try:
        data = parse_yaml(content) if isinstance(content, str) else content
    except YamlTextError as error:
        problems.append(ValidationProblem(file=file, message=str(error)))
        return None
    if not isinstance(data, Mapping):
        message = "a workflow file must be a mapping with 'name', 'tasks', ..."
        problems.append(ValidationProblem(file=file, message=message))
        return None
    name = data.get("name") if isinstance(data.get("name"), str) else None
    try:
        document = WorkflowDocument.model_validate(data)
    except ValidationError as error:
        problems += problems_from_pydantic(error, file=file, workflow=name, task_of=lambda loc: _task_at(data, loc))
        return (name, Source(file, None)) if name else None
    return document.name, Source(file, document)


def _task_at(data: Mapping[str, Any], loc: Location) -> str | None:
    """The task an error location points into, by its name in the file."""
    if len(loc) >= 2 and loc[0] in ("assignees", "deadlines") and isinstance(loc[1], str):
        return loc[1]
    if len(loc) >= 2 and loc[0] == "tasks" and isinstance(loc[1], int):
        tasks = data.get("tasks")
        if isinstance(tasks, list) and loc[1] < len(tasks) and isinstance(tasks[loc[1]], Mapping):
            name = tasks[loc[1]].get("name")
            return name if isinstance(name, str) else None
    return None
