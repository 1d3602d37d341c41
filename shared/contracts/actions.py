"""Actions on ``workflow.actions``: a person acting on a dossier item's current task (key: dossier item id)."""

from datetime import datetime
from typing import Any

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from shared.contracts.record import Record


class WorkflowAction(Record):
    """One action, e.g. "Goedkeuren bericht" on task "Beoordelen aangifte klant" by user "klant"."""

    schema_version: int = 1
    action_id: str = Field(min_length=1, max_length=100, description="Idempotency key: the same id twice acts once.")
    dossier_item_id: str = Field(min_length=1, max_length=100)
    task: str = Field(min_length=1, max_length=200, description="The task acted on; must still be the current task.")
    action: str = Field(min_length=1, max_length=200)
    actor: str = Field(min_length=1, max_length=100)
    comment: str = Field("", max_length=4000)
    assignees: list[str] = Field(default_factory=list, description="For 'Taak toewijzen' only: the new assignees.")
    operator: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        description=(
            "Set only by the CLI (`accordeer act --as ACTOR`): the operator who acts on behalf of actor, audited as "
            "'operator X on behalf of ACTOR'. The portal, where people act themselves, never sets it."
        ),
    )

    statement: str | None = Field(
        None,
        min_length=1,
        max_length=500,
        description=(
            "Set by the portal when approving a filing: the statement the person confirmed, word for word in the "
            "language it was shown in (that they checked the declaration and that it is correct and complete)."
        ),
    )
    confirmed_at: datetime | None = Field(None, description="When the person confirmed ``statement``.")

    @model_serializer(mode="wrap")
    def _without_absent_fields(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # An action without them is written as before these fields existed, so a consumer of the older contract
        # (extra fields forbidden) still reads it.
        data: dict[str, Any] = handler(self)
        for name in OPTIONAL_LATER:
            if data.get(name) is None:
                data.pop(name, None)
        return data


OPTIONAL_LATER = ("operator", "statement", "confirmed_at")
"""Fields added after the first version, left out when unset."""
