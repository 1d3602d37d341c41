"""Intake takes the item type's setting from each version workflow publishes (workflow.setup.outcomes), before the
declarations of the same batch; a version without the settings file changes nothing; an outcome it cannot read is
a dead letter, and the declarations beside it are still taken in."""

import json
from datetime import UTC, datetime

from aiokafka import ConsumerRecord

from shared import item_type
from shared.contracts.setup import SetupOutcome
from shared.topics import Topics
from tests.support.declarations import example
from tests.support.records import consumer_record
from tests.unit.intake.fakes import IntakeTables, intake_on

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
TOPICS = Topics()


def _published(version: int, confidential: bool | None) -> ConsumerRecord:
    settings = item_type.ItemTypeSettings(confidential=bool(confidential))
    files = {} if confidential is None else {item_type.FILE: item_type.dump(settings)}
    outcome = SetupOutcome(actor="fenna", occurred_at=NOW, version=version, files=files)
    return consumer_record(TOPICS.setup_outcomes, "setup", outcome.model_dump_json().encode())


def _declaration(message_id: str) -> ConsumerRecord:
    return consumer_record(
        TOPICS.inbound, message_id, json.dumps(example("btw_aangifte", message_id=message_id)).encode()
    )


async def test_a_published_setting_applies_to_the_declarations_after_it_and_a_version_without_it_changes_nothing():
    tables = IntakeTables()
    intake = intake_on(TOPICS, NOW, tables)
    await intake.take_in([_declaration("m-1"), _published(2, True)])
    assert tables.item_type.confidential and [i.confidential for i in tables.items] == [True]

    await intake.take_in([_published(3, None)])  # a version from before the file existed
    assert tables.item_type.confidential
    await intake.take_in([_published(4, False), _declaration("m-2")])
    assert not tables.item_type.confidential and [i.confidential for i in tables.items] == [True, False]


async def test_an_unreadable_outcome_is_a_dead_letter_and_the_batch_goes_on():
    tables = IntakeTables()
    intake = intake_on(TOPICS, NOW, tables)
    garbled = consumer_record(TOPICS.setup_outcomes, "setup", b'{"version": "two"}')
    await intake.take_in([garbled, _declaration("m-1")])
    assert [r.topic for r in tables.outbox if r.topic.endswith(".dlq")] == ["workflow.setup.outcomes.dlq"]
    assert len(tables.items) == 1 and not tables.item_type.confidential
