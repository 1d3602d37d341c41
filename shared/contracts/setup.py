"""Set-up: a person asks workflow to publish a configuration (``workflow.setup.from.<writer>``), and workflow says
what became of it and which version it published (``workflow.setup.outcomes``). Key: ``setup`` on both, so they
keep their order.

A command carries the whole configuration folder as text (``workflows/*.yaml``, ``routes.yaml``, ``users.yaml``'s
groups), so the portal and the CLI send the same thing and workflow judges both with the same checks.
"""

from datetime import datetime

from pydantic import Field

from shared.contracts.record import Record

KEY = "setup"
"""The key of every set-up record: one partition's order is the order of publications."""


class SetupCommand(Record):
    """Publish this configuration, unless it has problems or another version came in between."""

    schema_version: int = 1
    command_id: str = Field(min_length=1, max_length=100, description="Idempotency key: the same id twice acts once.")
    actor: str = Field(min_length=1, max_length=100, description="Who asks (audited with the writer of the topic).")
    based_on_version: int | None = Field(
        None,
        ge=1,
        description=(
            "The version the person edited; when another was published since, nothing is published and the "
            "outcome says so (no one overwrites a change they have not seen). None: publish whatever is newest."
        ),
    )
    files: dict[str, str] = Field(description="Path in the configuration folder → its YAML text.")


class SetupProblem(Record):
    file: str
    workflow: str | None = None
    task: str | None = None
    message: str


class SetupOutcome(Record):
    """A command's outcome, or a version published without one (the seed of `accordeer setup`)."""

    schema_version: int = 1
    command_id: str | None = Field(None, description="The command answered; None for a seeded publication.")
    writer: str | None = Field(None, description="Whose topic the command came on (portal, operator, …).")
    actor: str
    occurred_at: datetime
    version: int | None = Field(None, description="The version published; None when nothing was.")
    problems: list[SetupProblem] = Field(default_factory=list, description="Why nothing was published.")
    superseded_by: int | None = Field(
        None, description="Nothing was published because this newer version came after the one edited."
    )
    files: dict[str, str] = Field(
        default_factory=dict, description="The version as published (as `accordeer workflows export` writes it)."
    )
    routed: int = Field(0, description="Items waiting at 20 for a route that this version routed.")

    @property
    def published(self) -> bool:
        return self.version is not None
