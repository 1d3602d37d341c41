"""The CLI at its edges, as a new user meets them (issue 12): short item ids, actions and submissions that wait
for their outcome with distinct exit codes, files that are not declarations, no-op re-submissions, lists with
--limit/--since/--json, every component in `accordeer status`, and the demo counting only its own items."""

import asyncio
import contextlib
import json
import uuid

import httpx
import pytest

from accordeer.demo import run_demo
from accordeer.localstack.kafka import free_port
from shared.contracts.status import StatusCode
from tests.support.declarations import example

pytestmark = pytest.mark.e2e

CLIENT_TASK, REACTION_TASK = "Beoordelen aangifte klant", "Beoordelen reactie van klant"
APPROVE, REJECT = "Goedkeuren bericht", "Afkeuren bericht"
NO_KAFKA = {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"}


async def item_in_workflow(system, message_id: str) -> str:
    await system.submit(example("btw_aangifte", message_id=message_id))
    await system.wait_for(
        lambda: any(e.message_id == message_id and e.status_code == StatusCode.IN_WORKFLOW for e in system.events),
        timeout=30,
        what=f"{message_id} at 30",
    )
    return next(
        e.dossier_item_id
        for e in system.events
        if e.message_id == message_id and e.status_code == StatusCode.IN_WORKFLOW
    )


async def ready(url: str) -> None:
    async with httpx.AsyncClient(timeout=2) as client:
        for _ in range(100):
            with contextlib.suppress(httpx.TransportError):
                if (await client.get(url)).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    raise AssertionError(f"{url} never answered 200")


def a_sentence(result, code: int, words: str, stream: str = "stderr") -> None:
    text = getattr(result, stream)
    assert result.returncode == code and words in text, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr


async def test_item_ids_resolve_by_unique_prefix_else_name_the_candidates(system):
    system.start("intake", "workflow")
    item = await item_in_workflow(system, "ids-1")
    short = await system.cli("history", item[:8])
    assert short.returncode == 0 and "Traceback" not in short.stderr, short.stderr
    assert (await system.cli("history", item.upper())).returncode == 0

    a_sentence(await system.cli("history", "does-not-exist"), 2, "'does-not-exist' is not a dossier item id")
    a_sentence(
        await system.cli("history", "00000000-0000-0000-0000-000000000000"),
        2,
        "no dossier item 00000000-0000-0000-0000-000000000000",
    )
    twins = ["abcd0000-0000-4000-8000-000000000001", "abcd1111-0000-4000-8000-000000000002"]
    for n, twin in enumerate(twins):
        await system.db.execute(
            "INSERT INTO workflow.instances (dossier_item_id, message_id, source, message_type,"
            " item, status_code) VALUES ($1, $2, 'afas', 'btw-aangifte', '{}', 20)",
            twin,
            f"twin-{n}",
        )
    several = await system.cli("act", "ABCD", CLIENT_TASK, APPROVE, "--as", "sanne.vandijk")
    a_sentence(several, 2, "'abcd' is the start of several dossier item ids")
    assert f"{twins[0]}  twin-0  20 Processing" in several.stderr and twins[1] in several.stderr


async def test_act_checks_its_arguments_then_waits_for_workflows_decision(system):
    system.start("intake", "workflow")
    item = await item_in_workflow(system, "act-1")

    a_sentence(
        await system.cli("act", "does-not-exist", "Beoordelen", "Goedkeuren", "--as", "nobody"),
        2,
        "not a dossier item id",
    )
    a_sentence(
        await system.cli("act", item[:8], REACTION_TASK, REJECT, "--as", "sanne.vandijk"),
        2,
        f"the current task is '{CLIENT_TASK}'; nothing was sent",
    )
    a_sentence(
        await system.cli("act", item[:8], CLIENT_TASK, "Doorsturen", "--as", "sanne.vandijk"),
        2,
        f"task '{CLIENT_TASK}' has no action 'Doorsturen'; its actions are: {APPROVE}",
    )
    refused = await system.cli("act", item[:8], CLIENT_TASK, APPROVE, "--as", "nobody", "--wait", "30")
    a_sentence(refused, 1, "refused: not_allowed: action 'Goedkeuren bericht' on task")
    unreachable = await system.cli("act", item[:8], CLIENT_TASK, APPROVE, "--as", "sanne.vandijk", env=NO_KAFKA)
    a_sentence(unreachable, 2, "Kafka is not reachable")

    applied = await system.cli("act", item[:8], CLIENT_TASK, REJECT, "--as", "sanne.vandijk", "--action-id", "a-1")
    a_sentence(applied, 0, f"applied: dossier item {item} is now 40 Rejected", "stdout")
    again = await system.cli("act", item, CLIENT_TASK, REJECT, "--as", "sanne.vandijk", "--action-id", "a-1")
    a_sentence(again, 2, "has ended (40 Rejected); it has no task; nothing was sent")

    waiting = await item_in_workflow(system, "act-2")
    system.services.processes["workflow"].stop()
    timed_out = await system.cli("act", waiting[:8], CLIENT_TASK, APPROVE, "--as", "sanne.vandijk", "--wait", "3")
    a_sentence(timed_out, 3, "no decision on action", "stdout")
    sent = await system.cli("act", waiting[:8], CLIENT_TASK, APPROVE, "--as", "sanne.vandijk", "--no-wait")
    a_sentence(sent, 0, "sent action", "stdout")


async def test_submit_refuses_non_declarations_locally_and_says_when_there_is_nothing_to_do(system, tmp_path):
    good, bad, reused = tmp_path / "good.json", tmp_path / "bad.json", tmp_path / "reused.json"
    good.write_text(json.dumps(example("loonheffing", message_id="sub-1")))
    bad.write_text("hello")
    reused.write_text(json.dumps(example("loonheffing", message_id="sub-1", subject="Andere inhoud")))

    early = tmp_path / "early.json"
    early.write_text(json.dumps(example("loonheffing", message_id="sub-0")))
    timed_out = await system.cli("submit", str(early), "--wait", "2")  # intake is not running yet
    a_sentence(timed_out, 3, "no outcome yet for: sub-0", "stdout")
    system.start("intake", "workflow")
    accepted = await system.cli("submit", str(good), "--wait", "60")
    a_sentence(accepted, 0, "30 In workflow", "stdout")

    refused = await system.cli("submit", str(good), str(bad))
    a_sentence(refused, 1, f"{bad}: not a declaration (not_json)", "stdout")
    assert "nothing was published" in refused.stdout
    taken_in = await system.cli("submit", str(good), "--wait", "60")
    a_sentence(taken_in, 0, "sub-1: already taken in with the same content; nothing to do", "stdout")
    assert "waiting" not in taken_in.stdout
    other_content = await system.cli("submit", str(reused), "--wait", "60")
    a_sentence(other_content, 1, "sub-1: refused (message_id_reused)", "stdout")
    assert "keeps its own status" in other_content.stdout and " 0 Refused" not in other_content.stdout
    a_sentence(
        await system.cli("submit", str(good), env=NO_KAFKA | {"DATABASE_URL": "postgresql://x@127.0.0.1:1/x"}),
        2,
        "error:",
    )
    fresh = tmp_path / "fresh.json"
    fresh.write_text(json.dumps(example("loonheffing", message_id="sub-2")))
    a_sentence(await system.cli("submit", str(fresh), "--no-wait"), 0, "not waiting for their outcome", "stdout")
    inbound = await system.read_topic(system.topics.inbound, expect=99, timeout=3)
    assert sorted(r.key for r in inbound) == [b"sub-0", b"sub-1", b"sub-1", b"sub-2"]  # "hello" never went out


async def test_lists_take_limit_since_and_json_and_status_shows_every_component(system):
    intake_port, nobody, portal_ops, portal_web = free_port(), free_port(), free_port(), free_port()
    system.services.start_service("intake", ACCORDEER_HTTP_PORT=str(intake_port))
    system.services.start_service("portal", ACCORDEER_HTTP_PORT=str(portal_ops), ACCORDEER_PORTAL_PORT=str(portal_web))
    system.start("digipoort_mock")
    ops = {
        "ACCORDEER_OPS_ENDPOINTS": f"intake=http://127.0.0.1:{intake_port},notifier=http://127.0.0.1:{nobody},"
        f"portal=http://127.0.0.1:{portal_ops}",
        "ACCORDEER_PORTAL_PORT": str(portal_web),
    }
    await system.publish(system.topics.inbound, [(f"junk-{n}", b"hello") for n in range(3)])
    await system.read_topic(system.topics.inbound_dlq, expect=3)

    listed = await system.cli("dlq", "list", "--topic", "inbound", "--limit", "2")
    a_sentence(listed, 0, "3 dead letter(s)", "stdout")
    assert "1 more; use --limit to see them" in listed.stdout and listed.stdout.count(" junk-") == 2
    as_json = json.loads((await system.cli("dlq", "list", "--json", "--since", "1h", "--limit", "5")).stdout)
    assert sorted(d["key"] for d in as_json) == ["junk-0", "junk-1", "junk-2"]
    assert {d["reason_code"] for d in as_json} == {"not_json"}
    future = await system.cli("dlq", "list", "--topic", "inbound", "--since", "2999-01-01T00:00")
    a_sentence(future, 0, "0 dead letter(s)", "stdout")
    a_sentence(await system.cli("dlq", "list", "--since", "yesterday"), 2, "neither a duration")

    for url in (
        f"http://127.0.0.1:{intake_port}/health/ready",
        f"http://127.0.0.1:{portal_ops}/health/ready",
        f"http://127.0.0.1:{portal_web}/login",
    ):
        await ready(url)
    status = await system.cli("status", env=ops)
    a_sentence(status, 0, f"gateway    up ({system.services.gateway_url})", "stdout")
    for line in (
        "intake     ready",
        "notifier   down (no answer",
        "mail sink  down (nothing listens",
        "Kafka      up",
        "PostgreSQL up",
        "portal     ready",
        f"portal web up (http://127.0.0.1:{portal_web})",
        "gateway breaker (per dispatch process)\n  (no dispatch process has said yet)",
    ):
        assert line in status.stdout, status.stdout
    system.services.processes["portal"].stop()
    gone = await system.cli("status", env=ops)
    for line in ("portal     down (no answer", f"portal web down (no answer on http://127.0.0.1:{portal_web})"):
        assert line in gone.stdout, gone.stdout


async def test_the_demo_counts_only_its_own_items(system):
    system.start("intake", "workflow", "dispatch", "digipoort_mock")
    await system.submit(example("loonheffing", message_id=f"not-the-demo-{uuid.uuid4().hex[:6]}"))
    final = await run_demo(system.settings, timeout=150, say=lambda line: None)
    rows = await system.db.fetch("SELECT id::text, message_id FROM intake.dossier_items")
    message_of = {r["id"]: r["message_id"] for r in rows}
    assert final and all(message_of[item].startswith("demo-") for item in final), final
    assert len(rows) == len(final) + 1
    assert sorted(final.values()).count(40) == 1 and set(final.values()) <= {40, 80}
    accepted = next(item for item, code in final.items() if code == 80)
    late = await system.cli("act", accepted[:8], CLIENT_TASK, APPROVE, "--as", "sanne.vandijk")
    a_sentence(late, 2, "has ended (80 Accepted by authority); it has no task; nothing was sent")
