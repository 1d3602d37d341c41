"""`accordeer act --as USER` is the operator acting on behalf of USER: who the operator is, and how the audit
trail says it."""

from pydantic import SecretStr

from accordeer.acting import audited_who, operator_name
from shared.settings import Settings


def test_the_operator_is_the_setting_else_the_kafka_username_else_the_os_user(monkeypatch):
    monkeypatch.setenv("USER", "beheerder")
    monkeypatch.setenv("LOGNAME", "beheerder")
    assert operator_name(Settings(operator="m.devries", kafka_username="operator")) == "m.devries"
    assert operator_name(Settings(operator="", kafka_username="operator", kafka_password=SecretStr("x"))) == "operator"
    assert operator_name(Settings(operator="", kafka_username="")) == "beheerder"


def test_the_audit_says_operator_x_on_behalf_of_the_actor_and_a_persons_own_action_names_only_them():
    assert audited_who({"actor": "klant", "operator": "m.devries"}) == "operator m.devries on behalf of klant"
    assert audited_who({"actor": "klant", "operator": None}) == "klant"
    assert audited_who({"actor": "system"}) == "system"
