"""The chart's Kafka file from our tables: principals named as Strimzi can name them, a wrong folder refused."""

import pytest
import yaml

from accordeer.chart import ChartError, kafka_document, kubernetes_name
from accordeer.paths import DEPLOY_DIR


def test_a_service_principal_is_named_as_a_kubernetes_resource_can_be():
    assert kubernetes_name("status_api") == "status-api"
    assert kubernetes_name("operator.anna") == "operator.anna"


def test_every_source_person_and_service_becomes_a_user_and_each_consumer_is_bound_by_its_partitions():
    document = kafka_document(DEPLOY_DIR / "config")
    users = {user["name"] for user in document["users"]}
    sources = yaml.safe_load((DEPLOY_DIR / "config" / "authorisations.yaml").read_text())["sources"]
    assert set(sources) | {"intake", "status-api", "operator", "keda"} <= users
    assert document["consumers"]["intake"] == {"group": "accordeer-intake", "partitions": 6}
    assert {topic["replicas"] for topic in document["topics"]} == {3}


def test_a_source_whose_name_no_kafka_user_can_carry_is_refused_with_what_to_do(tmp_path):
    (tmp_path / "authorisations.yaml").write_text("sources: {'Boekhouding BV': {}}\n")
    with pytest.raises(ChartError, match=r"'Boekhouding BV' cannot be a KafkaUser.*rename the source"):
        kafka_document(tmp_path)


def test_a_folder_without_the_configuration_is_named(tmp_path):
    with pytest.raises(ChartError, match=r"has no authorisations\.yaml"):
        kafka_document(tmp_path)
