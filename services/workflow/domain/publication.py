"""Checking a whole configuration folder: what ``accordeer workflows check`` and ``publish`` judge."""

from collections.abc import Mapping
from dataclasses import dataclass

from .definition import WorkflowDefinition
from .directory import Directory, parse_directory
from .loading import ROUTES_FILE, USERS_FILE, ConfigFolder
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
    return Publication(workflows, routes, directory, (*problems, *workflow_problems, *route_problems))
