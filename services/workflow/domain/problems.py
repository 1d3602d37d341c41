"""What is wrong with a configuration: one problem per mistake, saying exactly where it is."""

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError


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


def describe_error(error: Any) -> str:
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
    error: ValidationError, *, file: str, workflow: str | None, task_of=lambda loc: None
) -> list[ValidationProblem]:
    """Every error pydantic found, each located; ``task_of`` maps a location to a task name."""
    return [
        ValidationProblem(file=file, workflow=workflow, task=task_of(e["loc"]), message=describe_error(e))
        for e in error.errors()
    ]


def format_path(loc: tuple) -> str:
    """``("tasks", 0, "actions", 1)`` as ``tasks[0].actions[1]``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _at(loc: tuple) -> str:
    return f" in {format_path(loc)}" if loc else ""
