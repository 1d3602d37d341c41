"""The shape of a workflow file as an integrator writes it, before ``based_on`` is applied."""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, PositiveFloat


def _trimmed(value: str) -> str:
    if not value or value != value.strip():
        raise ValueError("must not be empty or start or end with whitespace")
    return value


Name = Annotated[str, AfterValidator(_trimmed)]


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ActionDocument(_Document):
    name: Name
    leads_to: Name
    """A task of the same workflow, or ``approved`` / ``rejected``."""


class TaskDocument(_Document):
    name: Name
    # Omitted and empty lists are reported by the checks, with the task named.
    assignees: list[str] = []
    actions: list[ActionDocument] = []
    deadline_hours: PositiveFloat | None = None


class WorkflowDocument(_Document):
    """One workflow file. With ``based_on``, every key but ``name`` is an override."""

    name: Name
    based_on: Name | None = None
    task_manager: Name | None = None
    start_task: Name | None = None
    tasks: list[TaskDocument] = []
    """Without ``based_on``: all tasks. With it: replaces inherited tasks of the same name, adds others."""
    assignees: dict[str, list[str]] = {}
    """Only with ``based_on``: task name → its new assignees."""
    deadlines: dict[str, PositiveFloat | None] = {}
    """Only with ``based_on``: task name → its new deadline in hours (null removes it)."""
