"""`accordeer status`: the whole system on one screen — every component, the gateway breaker of each dispatch
process, consumer lag, dead letters, items per status. A part that cannot be read is shown with the reason, and
the rest is still shown."""

import asyncio
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer

from accordeer.components import components
from shared.contracts.status import StatusCode
from shared.db.pool import connect
from shared.kafka.admin import partitions_of
from shared.kafka.security import client_options
from shared.lag import LagReport, lag_report
from shared.operations.breakers import ProcessBreaker, breaker_states
from shared.operations.dead_letters import dead_letter_topics
from shared.operations.statuses import ITEMS_PER_STATUS
from shared.settings import Settings


@dataclass(frozen=True)
class SystemStatus:
    components: dict[str, str]
    breakers: list[ProcessBreaker] | str
    lag: LagReport | str
    dead_letters: dict[str, int] | str
    items: dict[int, int] | str


async def dead_letter_counts(settings: Settings) -> dict[str, int]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False, **client_options(settings)
    )
    await consumer.start()
    try:
        counts = {}
        for topic in dead_letter_topics(settings.topics):
            partitions = await partitions_of(settings.kafka_bootstrap_servers, topic)
            ends = await consumer.end_offsets(partitions)
            starts = await consumer.beginning_offsets(partitions)
            counts[topic] = sum(ends[p] - starts[p] for p in partitions)
        return counts
    finally:
        await consumer.stop()


async def items_per_status(database_url: str | None) -> dict[int, int]:
    rows = await _reading(database_url, lambda conn: conn.fetch(ITEMS_PER_STATUS))
    return {r["status_code"]: r["items"] for r in rows}


async def _reading(database_url: str | None, read):
    """``read`` (given a connection) on a connection of its own."""
    if database_url is None:
        raise LookupError("PostgreSQL is not known")
    conn = await connect(database_url)
    try:
        return await read(conn)
    finally:
        await conn.close()


async def system_status(settings: Settings, database_url: str | None) -> SystemStatus:
    state = await components(settings, database_url)
    kafka_up, postgres_up = state["Kafka"].startswith("up"), state["PostgreSQL"].startswith("up")
    refused = "refused the login" in state["PostgreSQL"]
    postgres_why = "PostgreSQL refused the login" if refused else "PostgreSQL is down"
    breakers, lag, dead, items = await asyncio.gather(
        _unless(not postgres_up, postgres_why, _reading(database_url, breaker_states)),
        _unless(
            not kafka_up,
            "Kafka is down",
            lag_report(settings.kafka_bootstrap_servers, settings.topics, window=2, interval=1.0),
        ),
        _unless(not kafka_up, "Kafka is down", dead_letter_counts(settings)),
        _unless(not postgres_up, postgres_why, items_per_status(database_url)),
    )
    return SystemStatus(state, breakers, lag, dead, items)


async def _unless(down: bool, why: str, work):
    if down:
        work.close()
        return f"unknown: {why}"
    try:
        return await work
    except Exception as exc:
        return f"unknown: {type(exc).__name__}: {exc}"


def render(status: SystemStatus) -> str:
    lines = ["components"]
    lines += [f"  {name:<10} {state}" for name, state in status.components.items()]
    lines.append("gateway breaker (per dispatch process)")
    if isinstance(status.breakers, str):
        lines.append(f"  {status.breakers}")
    else:
        lines += [f"  {b.process:<28} {b.line()}" for b in status.breakers] or ["  (no dispatch process has said yet)"]
    lines.append("consumer lag")
    if isinstance(status.lag, str):
        lines.append(f"  {status.lag}")
    else:
        lines += [f"  {g.group:<28} {g.status:<6} lag {g.lag}" for g in status.lag.groups]
    lines.append("dead letters")
    lines += (
        [f"  {status.dead_letters}"]
        if isinstance(status.dead_letters, str)
        else [f"  {topic:<28} {count}" for topic, count in status.dead_letters.items()]
    )
    lines.append("dossier items per status")
    if isinstance(status.items, str):
        lines.append(f"  {status.items}")
    else:
        lines += [f"  {code:>3} {StatusCode(code).label:<22} {count}" for code, count in status.items.items()]
        lines += [] if status.items else ["  (none yet)"]
    return "\n".join(lines)
