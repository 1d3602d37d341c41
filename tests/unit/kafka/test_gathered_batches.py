"""A read model's batch waits a moment for more records once some arrived (shared/kafka/batches.py ``waits_once``
with ``gather_ms``): what arrived meanwhile joins the batch in its partition's order, never twice, never beyond a
full batch; an empty poll gathers nothing, and the pipeline's hops (no ``gather_ms``) never wait."""

import asyncio
from types import SimpleNamespace

from aiokafka import ConsumerRecord, TopicPartition

from shared.kafka.batches import waits_once

A, B = TopicPartition("messages.status", 0), TopicPartition("messages.status", 1)


def records(tp: TopicPartition, *offsets: int) -> list[ConsumerRecord]:
    return [ConsumerRecord(tp.topic, tp.partition, o, 0, 0, None, b"", None, 0, -1, []) for o in offsets]


class _Consumer:
    """Answers each getmany with the next of ``polls``, then with nothing."""

    def __init__(self, *polls: dict[TopicPartition, list[ConsumerRecord]]):
        self.polls = list(polls)
        self.asked: list[tuple[int, int | None]] = []

    async def getmany(self, timeout_ms: int, max_records: int | None):
        self.asked.append((timeout_ms, max_records))
        return self.polls.pop(0) if self.polls else {}


def _subscriber(gather_ms: int, max_records: int = 10) -> SimpleNamespace:
    subscriber = SimpleNamespace(batch_timeout_ms=50, max_records=max_records)
    waits_once(subscriber, gather_ms)  # type: ignore[arg-type]
    return subscriber


def _coordinates(batch) -> list[tuple[int, int]]:
    return [(r.partition, r.offset) for r in batch]


async def test_what_arrives_while_a_read_model_gathers_joins_the_batch_after_what_came_first():
    consumer = _Consumer({A: records(A, 0)}, {A: records(A, 1, 2), B: records(B, 0)})
    loop = asyncio.get_running_loop()
    started = loop.time()
    batch = await _subscriber(gather_ms=100).get_msg(consumer)
    assert _coordinates(batch) == [(0, 0), (0, 1), (0, 2), (1, 0)]
    assert loop.time() - started >= 0.09
    assert consumer.asked == [(50, 10), (0, 9)]


async def test_a_partition_read_again_from_its_applied_position_meanwhile_gives_no_record_twice():
    consumer = _Consumer({A: records(A, 4, 5)}, {A: records(A, 4, 5, 6)})
    batch = await _subscriber(gather_ms=10).get_msg(consumer)
    assert _coordinates(batch) == [(0, 4), (0, 5), (0, 6)]


async def test_a_full_batch_an_empty_poll_and_a_pipeline_hop_gather_nothing():
    full = _Consumer({A: records(A, 0, 1)}, {A: records(A, 2)})
    assert _coordinates(await _subscriber(gather_ms=1000, max_records=2).get_msg(full)) == [(0, 0), (0, 1)]
    assert full.asked == [(50, 2)]

    empty = _Consumer()
    assert await _subscriber(gather_ms=1000).get_msg(empty) == ()
    assert len(empty.asked) == 1

    hop = _Consumer({A: records(A, 0)}, {A: records(A, 1)})
    assert _coordinates(await _subscriber(gather_ms=0).get_msg(hop)) == [(0, 0)]
    assert len(hop.asked) == 1
