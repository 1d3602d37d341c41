"""A dead letter replayed after its cause was fixed becomes a dossier item exactly once, however often replayed."""

import asyncio
import json
import time

import pytest
import yaml

from accordeer.paths import REPO_ROOT
from services.intake.admin import load_authorisations
from shared.contracts.status import StatusCode
from shared.lag import KafkaLagSource, LagMonitor, product_groups
from shared.operations.dead_letters import REPLAYED_FROM, choose, read_dead_letters, render_show, replay
from tests.support.declarations import example

pytestmark = pytest.mark.e2e

MESSAGE_ID = "dlq-replay-1"


def _authorisations_with(tmp_path, source: str):
    """The shipped authorisations plus ``source``: the integrator's fix."""
    document = yaml.safe_load((REPO_ROOT / "deploy" / "config" / "authorisations.yaml").read_text())
    document["sources"][source] = {"service_user": f"svc-{source}"}
    document["users"][f"svc-{source}"] = {"item_types": ["Accorderingsbericht"], "message_types": ["*"]}
    path = tmp_path / "authorisations.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


async def _intake_caught_up(system, timeout: float = 60) -> None:
    """Intake committed everything on its topic: every replayed record has been applied (or skipped)."""
    group = system.topics.group("intake")
    async with KafkaLagSource(system.settings.kafka_bootstrap_servers) as source:
        monitor = LagMonitor(source, {group: product_groups(system.topics)[group]}, window=1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            intake = (await monitor.sample()).group(group)
            if intake.lag == 0 and sum(p.latest.committed or 0 for p in intake.partitions) == 3:
                return
            await asyncio.sleep(0.3)
    raise AssertionError(f"intake did not catch up\n{system.logs()}")


async def test_a_refused_declaration_replayed_twice_after_its_source_was_registered_is_stored_once(system, tmp_path):
    bootstrap = system.settings.kafka_bootstrap_servers
    system.start("intake")
    declaration = example("btw_aangifte", message_id=MESSAGE_ID, source="twinfield")
    await system.submit(declaration)
    await system.wait_for(
        lambda: any(e.message_id == MESSAGE_ID and e.status_code == StatusCode.REFUSED for e in system.events),
        what="the refusal",
    )

    [letter] = await system.dead_letters(system.topics.inbound_dlq)
    assert (letter.key, letter.reason_code, letter.value) == (
        MESSAGE_ID.encode(),
        "unknown_source",
        json.dumps(declaration).encode(),
    )
    assert letter.original.startswith(f"{system.topics.inbound}/")
    assert declaration["document"]["content_base64"][:40] not in render_show(letter)
    assert await system.db.fetchval("SELECT count(*) FROM intake.declarations") == 0

    await load_authorisations(system.db, _authorisations_with(tmp_path, "twinfield"))
    await replay(bootstrap, [letter], topics=system.topics)
    again = choose(await read_dead_letters(bootstrap, system.topics.inbound_dlq), reason="unknown_source")
    await replay(bootstrap, again, topics=system.topics)
    await _intake_caught_up(system)

    declarations = await system.db.fetch("SELECT source FROM intake.declarations WHERE message_id = $1", MESSAGE_ID)
    assert [r["source"] for r in declarations] == ["twinfield"]
    items = await system.db.fetch("SELECT id::text FROM intake.dossier_items WHERE message_id = $1", MESSAGE_ID)
    assert len(items) == 1
    published = await system.read_topic(system.topics.dossier_items, expect=1, timeout=30)
    assert [json.loads(r.value)["dossier_item_id"] for r in published] == [items[0]["id"]]
    await system.wait_for(lambda: StatusCode.REGISTERED in _codes(system), what="status 10")
    assert _codes(system).count(StatusCode.REGISTERED) == 1
    assert _codes(system).count(StatusCode.REFUSED) == 1  # the original refusal; the replays were not refused
    # The inbound topic holds the original and both replays, each replay naming the dead letter it came from.
    inbound = await system.read_topic(system.topics.inbound, expect=3, timeout=30)
    assert sorted(dict(r.headers).get(REPLAYED_FROM, b"").decode() for r in inbound) == [
        "",
        f"{system.topics.inbound_dlq}/0/0",
        f"{system.topics.inbound_dlq}/0/0",
    ]
    assert len(await read_dead_letters(bootstrap, system.topics.inbound_dlq)) == 1


def _codes(system) -> list[int]:
    return [int(e.status_code) for e in system.events if e.message_id == MESSAGE_ID]
