"""The relay's order across topics, on a fake producer: a batch's status events are on Kafka (acknowledged)
before any of its other rows is sent, since those set the next service going."""

import asyncio
import json

from shared.kafka.relay import OutboxRelay

STATUS = "messages.status"


class SlowAcknowledgingProducer:
    """Records each send with what had been acknowledged by then; acknowledges only when told to."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, set[bytes]]] = []
        self.acknowledged: set[bytes] = set()
        self._pending: list[tuple[bytes, asyncio.Future]] = []

    async def send(self, topic, value, key, headers):
        self.sent.append((topic, value, set(self.acknowledged)))
        future = asyncio.get_running_loop().create_future()
        self._pending.append((value, future))
        return future

    def acknowledge_all(self) -> None:
        for value, future in self._pending:
            if not future.done():
                self.acknowledged.add(value)
                future.set_result(None)


def row(number: int, topic: str) -> dict:
    return {"id": number, "topic": topic, "key": b"k", "value": f"{topic}-{number}".encode(), "headers": json.dumps([])}


async def test_a_batchs_status_events_are_acknowledged_before_the_rows_that_set_the_next_service_going():
    producer = SlowAcknowledgingProducer()
    relay = OutboxRelay(
        "postgresql://unused", "workflow", lambda: producer, reports_first=lambda topic: topic == STATUS
    )
    relay.producer = producer

    async def none_missing(topics):
        return set()

    relay._missing_topics = none_missing
    rows = [row(1, "messages.approved"), row(2, STATUS), row(3, "workflow.tasks"), row(4, STATUS)]
    sending = asyncio.create_task(relay._send(rows))
    for _ in range(20):  # acknowledge whatever is in flight, as the broker would, until the batch is done
        await asyncio.sleep(0)
        producer.acknowledge_all()
    published, refused, transient = await sending

    assert [r["id"] for r in published] == [2, 4, 1, 3]
    assert not refused and transient is None
    statuses = {value for topic, value, _ in producer.sent if topic == STATUS}
    for topic, value, acknowledged_before in producer.sent:
        if topic != STATUS:
            assert statuses <= acknowledged_before, f"{value!r} was sent before the batch's status events were on Kafka"
