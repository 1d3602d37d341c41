"""The built-in dossier item type Accorderingsbericht and its one changeable setting."""

import pytest

from services.intake.domain import (
    BUILT_IN,
    DossierItemType,
    ReasonCode,
    Refusal,
    change_type_setting,
    create_item_type,
    delete_item_type,
    settings,
)


def test_the_built_in_type_and_its_defaults() -> None:
    assert BUILT_IN.name == "Accorderingsbericht"
    assert settings(BUILT_IN) == {
        "confidential": False,
        "allows_file_link": True,
        "uses_characteristics": True,
        "free_fields_enabled": True,
        "delivery_method_choice": False,
    }


@pytest.mark.parametrize("value", [True, False])
def test_confidential_can_be_switched(value: bool) -> None:
    changed = change_type_setting(BUILT_IN, "confidential", value)
    assert isinstance(changed, DossierItemType)
    assert changed.confidential is value
    assert settings(changed) == settings(BUILT_IN) | {"confidential": value}


@pytest.mark.parametrize(
    "name", ["allows_file_link", "uses_characteristics", "free_fields_enabled", "delivery_method_choice", "name"]
)
def test_no_other_setting_can_be_changed(name: str) -> None:
    refusal = change_type_setting(BUILT_IN, name, False)
    assert isinstance(refusal, Refusal)
    assert refusal.reason_code == ReasonCode.SETTING_NOT_CHANGEABLE
    assert "only 'confidential' can be changed on the built-in type Accorderingsbericht" in refusal.message


def test_an_unknown_setting_is_refused() -> None:
    refusal = change_type_setting(BUILT_IN, "colour", "red")
    assert isinstance(refusal, Refusal) and refusal.reason_code == ReasonCode.UNKNOWN_SETTING
    assert "'colour'" in refusal.message


@pytest.mark.parametrize("value", ["true", 1, None])
def test_confidential_takes_only_true_or_false(value: object) -> None:
    refusal = change_type_setting(BUILT_IN, "confidential", value)
    assert isinstance(refusal, Refusal) and refusal.reason_code == ReasonCode.INVALID_SETTING_VALUE


def test_the_type_cannot_be_created_or_deleted() -> None:
    for refusal in (create_item_type(), create_item_type("Memo", allows_file_link=True), delete_item_type()):
        assert refusal.reason_code == ReasonCode.ITEM_TYPE_BUILT_IN
        assert "the built-in type Accorderingsbericht cannot be created or deleted" in refusal.message
