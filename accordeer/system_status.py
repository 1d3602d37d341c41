"""`accordeer status`: the whole system on one screen — services, consumer lag, dead letters, items per status."""

import asyncio
import os
from dataclasses import dataclass

import httpx
from aiokafka import AIOKafkaConsumer

from accordeer.localstack.stack import OPS_PORTS
from shared.contracts.status import StatusCode
from shared.db.pool import connect
from shared.kafka.admin import partitions_of
from shared.lag import LagReport, lag_report
from shared.settings import Settings

ITEMS_PER_STATUS = """
SELECT coalesce(d.status_code, w.status_code, 20) AS status_code, count(*) AS items
FROM intake.dossier_items i
LEFT JOIN workflow.instances w ON w.dossier_item_id = i.id
LEFT JOIN dispatch.deliveries d ON d.dossier_item_id = i.id
GROUP BY 1 ORDER BY 1
"""


@dataclass(frozen=True)
class SystemStatus:
    services: dict[str, str]
    lag: LagReport
    dead_letters: dict[str, int]
    items: dict[int, int]


def ops_endpoints() -> dict[str, str]:
    """Where each service's health endpoint is: ACCORDEER_OPS_ENDPOINTS="intake=http://host:port,..." or the
    local stack's ports."""
    configured = os.environ.get("ACCORDEER_OPS_ENDPOINTS", "")
    if configured:
        return dict(item.split("=", 1) for item in configured.split(","))
    return {name: f"http://127.0.0.1:{port}" for name, port in OPS_PORTS.items()}


async def service_health(endpoints: dict[str, str]) -> dict[str, str]:
    async def one(client: httpx.AsyncClient, base: str) -> str:
        try:
            response = await client.get(f"{base}/health/ready")
        except httpx.TransportError:
            return "down (no answer)"
        if response.status_code == 200:
            return "ready"
        failing = [name for name, ok in response.json().get("checks", {}).items() if not ok]
        return f"not ready ({', '.join(failing)} failing)"

    async with httpx.AsyncClient(timeout=3) as client:
        answers = await asyncio.gather(*(one(client, base) for base in endpoints.values()))
    return dict(zip(endpoints, answers, strict=True))


async def dead_letter_counts(settings: Settings) -> dict[str, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        counts = {}
        for topic in (settings.topics.inbound_dlq, settings.topics.workflow_actions_dlq):
            partitions = await partitions_of(settings.kafka_bootstrap_servers, topic)
            ends = await consumer.end_offsets(partitions)
            starts = await consumer.beginning_offsets(partitions)
            counts[topic] = sum(ends[p] - starts[p] for p in partitions)
        return counts
    finally:
        await consumer.stop()


async def items_per_status(database_url: str) -> dict[int, int]:
    conn = await connect(database_url)
    try:
        return {r["status_code"]: r["items"] for r in await conn.fetch(ITEMS_PER_STATUS)}
    finally:
        await conn.close()


async def system_status(settings: Settings) -> SystemStatus:
    services, lag, dead, items = await asyncio.gather(
        service_health(ops_endpoints()),
        lag_report(settings.kafka_bootstrap_servers, settings.topics, window=2, interval=1.0),
        dead_letter_counts(settings),
        items_per_status(settings.database_url),
    )
    return SystemStatus(services, lag, dead, items)


def render(status: SystemStatus) -> str:
    lines = ["services"]
    lines += [f"  {name:<10} {state}" for name, state in status.services.items()]
    lines.append("consumer lag")
    for group in status.lag.groups:
        lines.append(f"  {group.group:<28} {group.status:<6} lag {group.lag}")
    lines.append("dead letters")
    lines += [f"  {topic:<28} {count}" for topic, count in status.dead_letters.items()]
    lines.append("dossier items per status")
    lines += [f"  {code:>3} {StatusCode(code).label:<22} {count}" for code, count in status.items.items()]
    if not status.items:
        lines.append("  (none yet)")
    return "\n".join(lines)
