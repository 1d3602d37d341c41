"""The dossier item type Accorderingsbericht: built in, never created or deleted, only "confidential" changes."""

from dataclasses import dataclass, fields, replace

from .reasons import ReasonCode
from .refusal import Refusal

ACCORDERINGSBERICHT = "Accorderingsbericht"
CHANGEABLE = "confidential"


@dataclass(frozen=True)
class DossierItemType:
    """The type's settings. ``delivery_method_choice`` stays off: intake never produces outgoing mail or documents."""

    name: str = ACCORDERINGSBERICHT
    confidential: bool = False
    allows_file_link: bool = True
    uses_characteristics: bool = True
    free_fields_enabled: bool = True
    delivery_method_choice: bool = False


BUILT_IN = DossierItemType()


def settings(item_type: DossierItemType) -> dict[str, bool]:
    return {f.name: getattr(item_type, f.name) for f in fields(item_type) if f.name != "name"}


def change_type_setting(item_type: DossierItemType, name: str, value: object) -> DossierItemType | Refusal:
    if name not in settings(item_type) and name != "name":
        known = ", ".join(settings(item_type))
        return Refusal(
            ReasonCode.UNKNOWN_SETTING, f"the type {item_type.name} has no setting {name!r}; its settings are {known}"
        )
    if name != CHANGEABLE:
        return Refusal(
            ReasonCode.SETTING_NOT_CHANGEABLE,
            f"{name!r} cannot be changed: only 'confidential' can be changed on the built-in type {item_type.name}",
        )
    if not isinstance(value, bool):
        return Refusal(ReasonCode.INVALID_SETTING_VALUE, f"'confidential' must be true or false, not {value!r}")
    return replace(item_type, confidential=value)


def create_item_type(name: str = ACCORDERINGSBERICHT, **_settings: object) -> Refusal:
    return _built_in(f"cannot create dossier item type {name!r}")


def delete_item_type(name: str = ACCORDERINGSBERICHT) -> Refusal:
    return _built_in(f"cannot delete dossier item type {name!r}")


def _built_in(what: str) -> Refusal:
    return Refusal(
        ReasonCode.ITEM_TYPE_BUILT_IN,
        f"{what}: the built-in type {ACCORDERINGSBERICHT} cannot be created or deleted,"
        " and it is the only type declarations are imported as",
    )
