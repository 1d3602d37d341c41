"""What the bench publishes: declaration-sized records (the golden btw-aangifte, one destination), and the
publisher that offers them at once or at a fixed rate, noting when each went out."""

import asyncio
import json
import time

from accordeer.chaos.workload import APPROVE, decision
from tests.support.declarations import example


def approved_ids(run: str, count: int) -> list[str]:
    """``count`` message ids that the chaos reviewer approves at once (its choice comes from the id alone; the
    others it would reject or react to)."""
    ids: list[str] = []
    n = 0
    while len(ids) < count:
        if decision(message_id := f"bench-{run}-{n}") == APPROVE:
            ids.append(message_id)
        n += 1
    return ids


def declarations(run: str, count: int) -> list[tuple[str, bytes]]:
    template = example("btw_aangifte")
    return [
        (message_id, json.dumps({**template, "message_id": message_id}).encode())
        for message_id in approved_ids(run, count)
    ]


async def offer(producer, topic: str, records: list[tuple[str, bytes]], rate: float | None = None) -> dict[str, float]:
    """Publish ``records`` (all at once, or ``rate`` per second) and wait for every acknowledgement; returns each
    message's publish time (epoch seconds, the clock the observer notes receipt by)."""
    published: dict[str, float] = {}
    acks = []
    started = time.monotonic()
    sent = 0
    while sent < len(records):
        due = len(records) if rate is None else min(len(records), int((time.monotonic() - started) * rate) + 1)
        for key, value in records[sent:due]:
            published[key] = time.time()
            acks.append(await producer.send(topic, value=value, key=key.encode()))
        sent = due
        if rate is not None and sent < len(records):  # without a rate, the first round sent them all
            await asyncio.sleep(max(0.0, started + sent / rate - time.monotonic()))
    await asyncio.gather(*acks)
    return published
