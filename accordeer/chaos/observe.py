"""What the chaos run reads to judge the system: the public topics, from their beginning, and the gateway's counts.

One consumer without a group follows messages.status, declarations.refused, every dead-letter topic and
workflow.tasks in partition order (task events also go to the reviewer). The mocked gateway forgets its
deliveries when it restarts, so its counts are sampled while it runs and kept per lifetime.
"""

import asyncio
import json
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

from accordeer.chaos.checker import Event
from shared import dead_letters as h
from shared.contracts.record import READ_BACK
from shared.contracts.tasks import TaskEvent
from shared.kafka.admin import partitions_of
from shared.kafka.security import client_options
from shared.topics import Topics

log = logging.getLogger(__name__)


@dataclass
class Timeline:
    """When each declaration was sent and when each dossier item's 80 was received (monotonic seconds): the
    latency an external package sees, for runs that report it over time (the soak)."""

    published: dict[str, float] = field(default_factory=dict)
    accepted: list[tuple[float, float]] = field(default_factory=list)
    """(received at, seconds since the declaration was sent) per 80, in the order received."""

    def received(self, event: Event) -> None:
        if event.status_code == 80 and (sent := self.published.get(event.message_id)) is not None:
            now = time.monotonic()
            self.accepted.append((now, now - sent))


@dataclass
class TopicRecords:
    status: dict[str, list[Event]] = field(default_factory=dict)
    """Per message id, its status events in partition order."""
    refused: Counter = field(default_factory=Counter)
    """declarations.refused records per message id."""
    inbound_dead_letters: dict[str, set[tuple]] = field(default_factory=dict)
    """declarations.inbound.dlq: per message id (the key), the original coordinates of each record."""
    other_dead_letters: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    tasks: int = 0

    def dead_letters(self) -> Counter:
        return Counter({message_id: len(origins) for message_id, origins in self.inbound_dead_letters.items()})


class TopicObserver:
    def __init__(
        self,
        bootstrap_servers: str,
        topics: Topics,
        on_task: Callable[[TaskEvent], Awaitable[None]],
        timeline: Timeline | None = None,
    ):
        self.bootstrap_servers = bootstrap_servers
        self.topics = topics
        self.on_task = on_task
        self.timeline = timeline or Timeline()
        self.records = TopicRecords()
        self.ready = asyncio.Event()
        """Set once it reads every topic from its beginning: the run publishes only then."""
        self.dead_letter_topics = {
            topics.dossier_items_dlq,
            topics.workflow_actions_dlq,
            topics.approved_dlq,
            topics.tasks_dlq,
            topics.directory_dlq,
        }

    async def run(self) -> None:
        names = [
            self.topics.status,
            self.topics.refused,
            self.topics.inbound_dlq,
            self.topics.tasks,
            *sorted(self.dead_letter_topics),
        ]
        # A broker of the cluster may be starting or stopped: the observer waits for it like any client would.
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type(KafkaError), wait=wait_exponential(0.2, max=3), stop=stop_after_delay(120)
        ):
            with attempt:
                partitions = [tp for name in names for tp in await partitions_of(self.bootstrap_servers, name)]
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap_servers,
            enable_auto_commit=False,
            client_id="accordeer-chaos-observer",
            **client_options(),
        )
        await consumer.start()
        try:
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            self.ready.set()
            while True:
                for records in (await consumer.getmany(timeout_ms=500, max_records=2000)).values():
                    for record in records:
                        await self._take(record)
        finally:
            await consumer.stop()

    async def _take(self, record) -> None:
        key = record.key.decode(errors="replace") if record.key else None
        where = f"{record.topic}[{record.partition}]@{record.offset}"
        try:
            if record.topic == self.topics.status:
                value = json.loads(record.value)
                event = Event(
                    event_id=value["event_id"],
                    message_id=value["message_id"],
                    status_code=int(value["status_code"]),
                    dossier_item_id=value.get("dossier_item_id"),
                    detail=value.get("detail") or "",
                    reason_code=value.get("reason_code"),
                    authority_status_code=value.get("authority_status_code"),
                    occurred_at=value.get("occurred_at") or "",
                )
                self.records.status.setdefault(event.message_id, []).append(event)
                self.timeline.received(event)
            elif record.topic == self.topics.refused:
                self.records.refused[key or json.loads(record.value).get("message_id")] += 1
            elif record.topic == self.topics.inbound_dlq:
                headers = {k: v.decode(errors="replace") for k, v in record.headers}
                origin = tuple(
                    headers.get(name) for name in (h.ORIGINAL_TOPIC, h.ORIGINAL_PARTITION, h.ORIGINAL_OFFSET)
                )
                self.records.inbound_dead_letters.setdefault(key or "(no key)", set()).add(origin)
            elif record.topic == self.topics.tasks:
                self.records.tasks += 1
                await self.on_task(TaskEvent.model_validate_json(record.value, context=READ_BACK))
            else:
                headers = {k: v.decode(errors="replace") for k, v in record.headers}
                self.records.other_dead_letters.append(
                    f"{where} key {key}: {headers.get(h.REASON_CODE)}: {headers.get(h.REASON)}"
                )
        except (ValueError, KeyError, TypeError) as exc:
            self.records.unreadable.append(f"{where}: {exc}")


@dataclass
class GatewayCounts:
    """The mocked gateway's /_admin/received, kept across its restarts (each start is a new lifetime)."""

    lifetimes: list[dict[str, int]] = field(default_factory=lambda: [{}])
    attempts: int = 0
    _attempts_now: int = 0

    def take(self, received: dict) -> None:
        self.lifetimes[-1] = {k: int(v) for k, v in received["per_aanleverkenmerk"].items()}
        self._attempts_now = int(received["total_attempts"])

    def restarted(self) -> None:
        self.attempts += self._attempts_now
        self._attempts_now = 0
        self.lifetimes.append({})

    @property
    def total_attempts(self) -> int:
        return self.attempts + self._attempts_now

    def per_aanleverkenmerk(self) -> dict[str, int]:
        """Registrations per aanleverkenmerk, the most any one lifetime saw (a delivery sent again after the
        gateway forgot it is registered anew, under the same aanleverkenmerk: not a second filing)."""
        merged: dict[str, int] = {}
        for lifetime in self.lifetimes:
            for kenmerk, count in lifetime.items():
                merged[kenmerk] = max(merged.get(kenmerk, 0), count)
        return merged


async def sample_gateway(gateway_url: str, counts: GatewayCounts, paused: asyncio.Event) -> None:
    """Every second while ``paused`` is not set."""
    async with httpx.AsyncClient(base_url=gateway_url, timeout=5) as client:
        while True:
            if not paused.is_set():
                try:
                    response = await client.get("/_admin/received")
                    if response.status_code == 200:
                        counts.take(response.json())
                except httpx.HTTPError:
                    pass  # down or restarting: the next sample will do
            await asyncio.sleep(1)


def kenmerken_per_item(
    per_aanleverkenmerk: dict[str, int], item_ids: set[str]
) -> tuple[dict[str, set[str]], list[str]]:
    """Which aanleverkenmerken belong to which dossier item (they start with its id without dashes), and those
    that belong to none."""
    by_compact = {item.replace("-", ""): item for item in item_ids}
    per_item: dict[str, set[str]] = {}
    strangers = []
    for kenmerk in per_aanleverkenmerk:
        item = by_compact.get(kenmerk[:32])
        if item is None:
            strangers.append(kenmerk)
        else:
            per_item.setdefault(item, set()).add(kenmerk)
    return per_item, strangers
