"""`accordeer act --as USER` is the operator acting on behalf of USER: the operator is the Kafka principal the CLI
connects as, never a name the environment claims, and the audit trail says who wrote each action."""

from pydantic import SecretStr

from accordeer.acting import audited_who, operator_name
from shared.settings import Settings


def test_the_operator_is_the_kafka_principal_and_operator_without_one(monkeypatch):
    monkeypatch.setenv("ACCORDEER_OPERATOR", "m.devries")  # the old claim: read by nothing any more
    assert operator_name(Settings(kafka_username="operator.m.devries", kafka_password=SecretStr("x"))) == (
        "operator.m.devries"
    )
    assert operator_name(Settings(kafka_username="")) == "operator"


def test_the_audit_names_the_operator_on_behalf_of_the_actor_the_portal_as_the_way_in_and_the_system_alone():
    by_operator = {"actor": "klant", "operator": "operator", "writer": "operator"}
    assert audited_who(by_operator) == "operator on behalf of klant"
    assert audited_who({"actor": "klant", "operator": None, "writer": "portal"}) == "klant via the portal"
    assert audited_who({"actor": "accordeer", "operator": None, "writer": None}) == "accordeer"
    assert audited_who({"actor": "system"}) == "system"
