"""What operators look at: health, readiness and the Prometheus figures of every service, scraped for real."""

import asyncio
import re

import httpx
import pytest

from accordeer.localstack.kafka import free_port
from shared.contracts.status import StatusCode
from tests.support.declarations import example

pytestmark = pytest.mark.e2e

SERVICES = ("intake", "workflow", "dispatch")


def _value(metrics: str, name: str, **labels: str) -> float:
    """The sample ``name{labels}`` (labels in any order); fails when it is not exposed."""
    for line in metrics.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        sample, value = line.rsplit(" ", 1)  # label values may hold spaces, the value never does
        found = dict(re.findall(r'(\w+)="([^"]*)"', sample))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(value)
    raise AssertionError(f"{name}{labels} is not exposed:\n" + "\n".join(m for m in metrics.splitlines() if name in m))


def _total(metrics: str, name: str) -> float:
    """The sum of every sample of ``name``, whatever its labels."""
    return sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines() if line.startswith(name + "{"))


async def test_health_readiness_and_business_metrics(system):
    ports = {name: free_port() for name in SERVICES}
    system.start("digipoort_mock")
    for name, port in ports.items():
        system.services.start_service(name, ACCORDEER_HTTP_PORT=str(port), ACCORDEER_LAG_SAMPLE_SECONDS="1")
    await system.submit(
        example("btw_aangifte", message_id="ops-good"), example("btw_aangifte", message_id="ops-bad", source="onbekend")
    )
    await system.wait_for(lambda: any(e.status_code == StatusCode.IN_WORKFLOW for e in system.events), what="30")
    item = next(e.dossier_item_id for e in system.events if e.status_code == StatusCode.IN_WORKFLOW)
    await system.act(item, "Beoordelen aangifte klant", "Goedkeuren bericht", "sanne.vandijk")
    await system.wait_for(lambda: StatusCode.ACCEPTED_BY_AUTHORITY in system.statuses_of(item), what="80")

    await asyncio.sleep(2.5)  # two more lag samples, after everything was consumed
    scraped = {}
    async with httpx.AsyncClient(timeout=10) as client:
        for name, port in ports.items():
            base = f"http://127.0.0.1:{port}"
            assert (await client.get(f"{base}/health/live")).status_code == 200
            for _ in range(10):  # each check answers within 2 s or counts as down: a loaded machine may miss one
                ready = await client.get(f"{base}/health/ready")
                if ready.status_code == 200:
                    break
                await asyncio.sleep(0.5)
            assert ready.status_code == 200 and ready.json()["checks"] == {
                "postgresql": True,
                "kafka": True,
                "consumers": True,
            }
            scraped[name] = (await client.get(f"{base}/metrics")).text

    intake, workflow, dispatch = (scraped[n] for n in SERVICES)
    assert _value(intake, "accordeer_declarations_received_total") == 2
    assert _value(intake, "accordeer_declarations_refused_total", reason="unknown_source") == 1
    assert _value(intake, "accordeer_dossier_items_created_total") == 1
    assert _value(intake, "accordeer_dead_letters_total", topic=system.topics.inbound_dlq, reason="unknown_source") == 1
    assert _value(intake, "accordeer_outbox_backlog", service="intake") == 0
    # FastStream labels a batch by its first record's topic; intake's batches also carry workflow.setup.outcomes.
    assert _total(intake, "faststream_received_messages_total") >= 1
    assert _value(workflow, "accordeer_status_events_total", status_code="50") == 1
    assert _value(workflow, "accordeer_workflow_actions_total", action="Goedkeuren bericht", outcome="applied") == 1
    assert _value(dispatch, "accordeer_deliveries_total", gateway_status="500") == 1
    assert _value(dispatch, "accordeer_status_events_total", status_code="80") == 1
    for partition in range(6):  # every partition of the group's topic, caught up
        assert (
            _value(
                intake,
                "accordeer_consumer_lag_records",
                group=system.topics.group("intake"),
                topic=system.topics.inbound,
                partition=str(partition),
            )
            == 0
        )
        assert (
            _value(
                dispatch,
                "accordeer_consumer_lag_seconds",
                group=system.topics.group("dispatch"),
                topic=system.topics.approved,
                partition=str(partition),
            )
            == 0
        )
