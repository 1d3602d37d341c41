"""Checking a whole configuration folder: what ``accordeer workflows check`` and ``publish`` judge."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from .definition import WorkflowDefinition
from .directory import Directory, parse_directory
from .loading import ITEM_TYPE_FILES, ROUTES_FILE, USERS_FILE, ConfigFolder
from .problems import ValidationProblem
from .routing import RouteRule, parse_routes
from .validation import publish_report, validate, validate_routes


@dataclass(frozen=True)
class Publication:
    """Everything a publication would store; publish only when ``problems`` is empty."""

    workflows: Mapping[str, WorkflowDefinition]
    routes: tuple[RouteRule, ...]
    directory: Directory
    problems: tuple[ValidationProblem, ...]
    item_type: Mapping[str, str] = field(default_factory=dict)
    """The item type's own files the folder has, checked (``ITEM_TYPE_FILES``)."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def report(self) -> list[str]:
        return publish_report(list(self.problems), self.workflows)


def check_config(folder: ConfigFolder) -> Publication:
    directory, problems = parse_directory(folder.users, USERS_FILE)
    # With users.yaml broken every group would look unknown; its own problems say enough.
    workflows, workflow_problems = validate(folder.files, None if problems else directory)
    routes, _ = parse_routes(folder.routes, ROUTES_FILE)
    # A route to a workflow that has problems is not reported again as a route to an unknown one.
    defined = set(workflows) | {p.workflow for p in workflow_problems if p.workflow}
    route_problems = validate_routes(folder.routes, defined, ROUTES_FILE)
    item_type_problems = [problem for name, text in folder.item_type.items() if (problem := _checked(name, text))]
    return Publication(
        workflows,
        routes,
        directory,
        (*problems, *workflow_problems, *route_problems, *item_type_problems),
        dict(folder.item_type),
    )


def _checked(name: str, text: str) -> ValidationProblem | None:
    try:
        ITEM_TYPE_FILES[name](text)
    except ValueError as error:
        return ValidationProblem(file=name, message=str(error))
    return None
