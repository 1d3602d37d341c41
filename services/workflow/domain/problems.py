"""What is wrong with a configuration: one problem per mistake, saying exactly where it is."""

from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_core import ErrorDetails

Location = tuple[int | str, ...]
"""Where in a document an error is, as pydantic gives it: keys and list indexes."""


@dataclass(frozen=True, kw_only=True)
class ValidationProblem:
    """One mistake in one file; ``workflow`` and ``task`` narrow it down when known."""

    file: str
    workflow: str | None = None
    task: str | None = None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.workflow is not None:
            where.append(f"workflow '{self.workflow}'")
        if self.task is not None:
            where.append(f"task '{self.task}'")
        return f"{': '.join(where)}: {self.message}"


def describe_error(error: ErrorDetails) -> str:
    """One pydantic error as a sentence an integrator understands."""
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown key '{loc[-1]}'" + _at(loc[:-1])
    if error["type"] == "missing":
        return f"missing required key '{loc[-1]}'" + _at(loc[:-1])
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    return f"{format_path(loc) or 'document'}: {message}"


def problems_from_pydantic(
    error: ValidationError,
    *,
    file: str,
    workflow: str | None,
    task_of: Callable[[Location], str | None] = lambda loc: None,
) -> list[ValidationProblem]:
    """Every error pydantic found, each located; ``task_of`` maps a location to a task name."""
    return [
        ValidationProblem(file=file, workflow=workflow, task=task_of(e["loc"]), message=describe_error(e))
        for e in error.errors()
    ]


def format_path(loc: Location) -> str:
    """``("tasks", 0, "actions", 1)`` as ``tasks[0].actions[1]``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _at(loc: Location) -> str:
    return f" in {format_path(loc)}" if loc else ""
