"""The settings of the dossier item type Accorderingsbericht, part of the configuration a set-up command publishes
(``item_type.yaml``): workflow checks the file with ``parse`` before it publishes it, and intake takes the setting
from each published version (``workflow.setup.outcomes``) for the items it makes from then on::

    Accorderingsbericht:
      confidential: true   # Dossieritem als vertrouwelijk markeren

The type itself is built in: it cannot be made or removed, and no other setting can change.
"""

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

FILE = "item_type.yaml"
ITEM_TYPE = "Accorderingsbericht"


class ItemTypeSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    confidential: bool = False
    """New dossier items are confidential: only those who hold or decide them see their contents."""


def parse(text: str | None) -> ItemTypeSettings:
    """The settings in ``text`` (the defaults for no file). ValueError saying what is wrong."""
    try:
        document = yaml.safe_load(text or "") or {}
    except yaml.YAMLError as error:
        raise ValueError(f"not YAML: {error}") from None
    if not isinstance(document, dict) or set(document) - {ITEM_TYPE}:
        raise ValueError(
            f"the file holds the settings of {ITEM_TYPE} only (e.g. '{ITEM_TYPE}: {{confidential: true}}')"
        )
    try:
        return ItemTypeSettings.model_validate(document.get(ITEM_TYPE) or {})
    except ValidationError as error:
        only = "; ".join(f"{'.'.join(map(str, e['loc'])) or ITEM_TYPE}: {e['msg']}" for e in error.errors())
        raise ValueError(
            f"{ITEM_TYPE}: {only} (the one setting that can change is confidential: true or false)"
        ) from None


def dump(settings: ItemTypeSettings) -> str:
    return yaml.safe_dump({ITEM_TYPE: settings.model_dump()}, sort_keys=False)
