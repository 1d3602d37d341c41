"""The topology table against what uses it and what it names: every service subscribes to exactly what the table
says (in its own group), every topic the table names exists in deploy/topics.yaml (or is a per-source family of
one that does), every consumed topic has its dead-letter topic among what the service writes, and the ACL file
leaves the services' rights to the table."""

import importlib

import pytest
import yaml
from cryptography.fernet import Fernet

from accordeer.localstack.acls import ACLS_FILE, bindings
from shared import topology
from shared.kafka.admin import topics_file
from shared.settings import Settings
from shared.topics import Topics

TOPICS = Topics("acme.")
PRODUCT_TOPICS = set(yaml.safe_load(topics_file().read_text())["topics"])
FAMILIES = topology.FAMILY_OF


def subscriptions(service: str) -> list[tuple[str, list[str], str | None]]:
    """(group, topics, pattern) of every subscriber the service's composition root registers."""
    app = importlib.import_module(f"services.{service}.app")
    built = app.build_app(Settings(database_url="postgresql://unused/db", topic_prefix=TOPICS.prefix))
    return [
        (s.group_id, sorted(s.topic_names), s._pattern)  # FastStream keeps a pattern subscription's regex there
        for s in built.broker.subscribers
    ]


@pytest.mark.parametrize("service", [s.name for s in topology.SERVICES])
def test_each_service_subscribes_to_what_the_table_says_in_its_own_group(service, monkeypatch):
    monkeypatch.setenv("ACCORDEER_PORTAL_SECOND_FACTOR_KEY", Fernet.generate_key().decode())  # the portal's own
    table = topology.service(service)
    pattern = table.pattern(TOPICS)
    # FastStream lists a pattern subscription's regex as its one topic name
    assert subscriptions(service) == [
        (TOPICS.group(service), [pattern] if pattern else sorted(table.consumed(TOPICS)), pattern)
    ]


def test_every_topic_the_table_names_exists_or_stands_for_a_family_of_one_that_does():
    named = {t for s in topology.SERVICES for t in (*s.consumes, *s.follows, *s.produces)}
    assert {FAMILIES.get(t, t) for t in named} <= PRODUCT_TOPICS
    assert set(FAMILIES) == {*topology.PER_SOURCE, *topology.PER_WRITER}


def test_each_consumed_topic_has_its_dead_letter_topic_among_what_its_consumer_writes():
    for service in topology.SERVICES:
        for topic in (*service.consume_names(), *service.follows):
            assert TOPICS.dead_letters_of(TOPICS.prefix + topic).removeprefix(TOPICS.prefix) in service.produces, (
                service.name,
                topic,
            )


def test_the_acl_file_leaves_the_services_rights_to_the_table_and_names_only_existing_topics():
    table = yaml.safe_load(ACLS_FILE.read_text())
    assert not set(table["principals"]) & set(topology.BY_NAME)
    named = {
        n
        for entry in [*table["principals"].values(), table["sources"]]
        for k, ns in entry.items()
        if k != "groups" and k != "describe_groups"
        for n in ns
    }
    stems = {n.replace("{source}", "*") for n in named}
    assert {FAMILIES.get(t, t) for t in stems} <= PRODUCT_TOPICS


def test_a_service_gets_exactly_the_rights_the_table_gives_it():
    granted = [b for b in bindings(["nmbrs"], TOPICS.prefix) if b.principal == "dispatch"]
    names = {(b.name, b.prefixed, b.operation) for b in granted}
    assert names == {
        ("acme.messages.approved", False, 3),
        ("acme.messages.status", False, 4),
        ("acme.messages.status.", True, 4),
        ("acme.messages.approved.dlq", False, 4),
        ("acme.accordeer-dispatch", False, 3),
    }


def test_a_source_reads_only_its_own_topics_and_groups():
    granted = {(b.name, b.prefixed, b.operation) for b in bindings(["nmbrs", "nmbrs-2"], "") if b.principal == "nmbrs"}
    assert granted == {
        ("declarations.from.nmbrs", False, 4),
        ("messages.status.nmbrs", False, 3),
        ("declarations.refused.nmbrs", False, 3),
        ("nmbrs.", True, 3),
    }
