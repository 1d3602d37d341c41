"""What every record the product writes for itself is: strict when made, tolerant when read back.

During a rolling upgrade old and new processes of a service run side by side (docs/deploy.md, "Upgrading"), so a
record may be read by a version older than the one that wrote it. A later version may add an optional field; an
older reader must then ignore it rather than dead-letter the record. So a reader validates with ``READ_BACK`` as
its context (``shared.dead_letters.read_as`` does), which drops the fields its version does not know, at every
level; everything else (a record being made, a file a person wrote, a record an external package wrote) stays
strict, so a misspelt field is still named. The rules that make an upgrade safe are in docs/deploy.md.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, model_validator

READ_BACK = {"ignore_unknown_fields": True}
"""The validation context of a record read back from a topic or a table that the product itself wrote."""


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _ignore_fields_of_a_later_version(cls, data: Any, info: ValidationInfo) -> Any:
        if isinstance(data, dict) and info.context and info.context.get("ignore_unknown_fields"):
            # Run for every model read back, nested ones too: the field names looked up once (``model_fields`` is
            # a descriptor call each time), and a copy made only when there is something to drop.
            known = cls.__pydantic_fields__
            if not data.keys() <= known.keys():
                return {name: value for name, value in data.items() if name in known}
        return data
