"""The Java example of an external package (examples/java-vendor: models generated from the vendor document, plain
kafka-clients) submits the golden VAT declaration on its own topic and follows it on its own status topic to 30,
against the real broker and services."""

import asyncio
import os
import re

import pytest

from services.intake.source_topics import ensure_source_topics
from shared.contracts.inbound import EXAMPLES_DIR
from tests.integration.test_vendor_clients import JAVA_EXAMPLE

pytestmark = pytest.mark.e2e


async def test_a_java_package_on_the_generated_models_submits_and_follows_its_declaration_to_30(system):
    classpath = JAVA_EXAMPLE / "target" / "classpath.txt"
    assert classpath.exists(), "the Java example is not built: run `make vendor-clients`"
    await ensure_source_topics(system.settings)  # before intake starts: its pattern then matches them at once
    system.start("intake", "workflow")

    java = await asyncio.create_subprocess_exec(
        "java",
        "-cp",
        f"{JAVA_EXAMPLE / 'target' / 'classes'}:{classpath.read_text().strip()}",
        "nl.accordeer.example.SubmitAndFollow",
        str(EXAMPLES_DIR / "inbound_btw_aangifte.json"),
        "30",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={
            **os.environ,
            "ACCORDEER_BOOTSTRAP": system.settings.kafka_bootstrap_servers,
            "ACCORDEER_TOPIC_PREFIX": system.settings.topic_prefix,
            "ACCORDEER_OWN_TOPIC": "true",
        },
    )
    stdout, stderr = await asyncio.wait_for(java.communicate(), timeout=150)
    printed = stdout.decode()
    assert java.returncode == 0, printed + stderr.decode()[-3000:]

    sent = re.search(r"^sent (java-example-\S+) to (\S+);", printed, re.M)
    assert sent and sent[2] == f"{system.settings.topic_prefix}declarations.from.afas-fin", printed
    assert re.findall(r"^(\d+) ", printed, re.M) == ["10", "20", "30"], printed
    stored = await system.db.fetch(
        "SELECT organisation_person_id FROM intake.dossier_items WHERE message_id = $1", sent[1]
    )
    assert [row["organisation_person_id"] for row in stored] == ["ORG-10045"]
