"""Set-up commands against the running workflow service, real Kafka and PostgreSQL: a clean configuration is
published and answered on workflow.setup.outcomes with its files; the same command again is answered once; a
faulty one lists every problem and publishes nothing; one edited from an older version is refused; a command
without a proven writer, or unreadable, is a dead letter. The seeded version is on the outcomes topic too."""

import asyncio
import uuid

import yaml

from services.workflow.domain.export import folder_of, texts
from services.workflow.repository import WorkflowRepository
from services.workflow.setup import announce_latest
from shared.contracts.setup import KEY, SetupCommand, SetupOutcome
from shared.dead_letters import REASON_CODE

OUTCOME = "SELECT version, superseded_by, problems FROM workflow.setup_outcomes WHERE command_id = $1"


async def _decided(system, command_id: str):
    for _ in range(300):
        row = await system.db.fetchrow(OUTCOME, command_id)
        if row is not None:
            return row
        await asyncio.sleep(0.1)
    raise AssertionError(f"workflow never decided {command_id}\n{system.logs()}")


async def _send(system, files: dict[str, str], *, based_on: int | None, topic: str | None = None) -> str:
    command = SetupCommand(command_id=str(uuid.uuid4()), actor="fenna", based_on_version=based_on, files=files)
    await system.publish(topic or system.topics.setup_from("portal"), [(KEY, command.model_dump_json().encode())])
    return command.command_id


async def test_set_up_commands_are_judged_published_once_and_answered(system):
    system.start("workflow")
    first = await WorkflowRepository(system.db).publication(1)
    files = texts(folder_of(first.workflows, first.routes, first.directory, first.item_type))
    kvk = yaml.safe_load(files["workflows/kvk.yaml"])
    kvk["task_manager"] = "taakmanager"
    files["workflows/kvk.yaml"] = yaml.safe_dump(kvk, sort_keys=False, allow_unicode=True)

    published = await _send(system, files, based_on=1)
    row = await _decided(system, published)
    assert (row["version"], row["superseded_by"], row["problems"]) == (2, None, []), row
    audited = await system.db.fetchrow("SELECT published_by, writer FROM workflow.publications WHERE id = 2")
    assert (audited["published_by"], audited["writer"]) == ("fenna", "portal")

    broken = yaml.safe_load(files["workflows/standard.yaml"])
    broken["tasks"][0]["actions"] = [a for a in broken["tasks"][0]["actions"] if a["name"] != "Goedkeuren bericht"]
    broken["tasks"][1]["assignees"] = ["@bestaat-niet"]
    faulty = await _send(system, {**files, "workflows/standard.yaml": yaml.safe_dump(broken)}, based_on=2)
    stale = await _send(system, files, based_on=1)  # edited from version 1, while 2 came in between
    unread = await _send(system, {**files, "../etc/passwd": "x"}, based_on=None)
    problems = (await _decided(system, faulty))["problems"]
    said = " ".join(p["message"] for p in problems)
    assert len(problems) >= 2 and "Goedkeuren bericht" in said and "bestaat-niet" in said, problems
    assert (await _decided(system, stale))["superseded_by"] == 2
    assert [p["file"] for p in (await _decided(system, unread))["problems"]] == ["../etc/passwd"]

    # The same command again (a double click, a redelivery) is not applied twice.
    again = SetupCommand(command_id=published, actor="fenna", based_on_version=None, files=files)
    await system.publish(system.topics.setup_from("portal"), [(KEY, again.model_dump_json().encode())])
    unproven = await _send(system, files, based_on=None, topic=system.topics.setup)
    await system.publish(system.topics.setup_from("operator"), [(KEY, b"{not json")])
    letters = await system.read_topic(system.topics.setup_dlq, expect=2, timeout=30)
    reasons = sorted(dict(r.headers).get(REASON_CODE, b"").decode() for r in letters)
    assert len(letters) == 2 and "writer_not_vouching" in reasons, reasons
    assert await system.db.fetchrow(OUTCOME, unproven) is None
    assert await system.db.fetchval("SELECT max(id) FROM workflow.publications") == 2

    outcomes = [
        SetupOutcome.model_validate_json(r.value)
        for r in await system.read_topic(system.topics.setup_outcomes, expect=5, timeout=30)
    ]
    assert [(o.version, o.writer, o.actor) for o in outcomes if o.published] == [
        (1, None, "setup"),
        (2, "portal", "fenna"),
    ]
    assert yaml.safe_load(outcomes[1].files["workflows/kvk.yaml"])["task_manager"] == "taakmanager"
    assert sorted(o.command_id for o in outcomes if o.command_id) == sorted([published, faulty, stale, unread])


async def test_a_version_published_before_versions_were_announced_is_announced_once_by_setup(system):
    system.start("workflow")  # its relay sends the announcement
    await system.db.execute("UPDATE workflow.publications SET announced = false")  # as after the upgrade
    assert await announce_latest(system.db, system.topics) == 1
    assert await announce_latest(system.db, system.topics) is None  # once
    outcomes = [
        SetupOutcome.model_validate_json(r.value)
        for r in await system.read_topic(system.topics.setup_outcomes, expect=2, timeout=30)
    ]
    assert [(o.version, o.actor, o.command_id) for o in outcomes] == [(1, "setup", None), (1, "setup", None)]
    assert outcomes[1].files == outcomes[0].files and "routes.yaml" in outcomes[1].files
