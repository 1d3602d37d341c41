"""The group's offsets follow the inbox positions at most once a second (shared/kafka/commits.py): the first
applied batch is committed at once, the ones after it within the second together by a timer; only applied
records' offsets, only of partitions still owned, and what was held back is committed before a partition goes."""

import asyncio
from types import SimpleNamespace

from aiokafka import ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError

from shared.kafka import commits
from shared.kafka.batches import commits_when_stopping
from shared.kafka.commits import CommitPacer

A, B = TopicPartition("dossier.items", 0), TopicPartition("dossier.items", 1)


class _Consumer:
    def __init__(self, *assigned: TopicPartition, refuse: bool = False):
        self.assigned = set(assigned)
        self.commits: list[dict[TopicPartition, int]] = []
        self.refuse = refuse

    def assignment(self):
        return self.assigned

    async def commit(self, offsets):
        if self.refuse:
            raise CommitFailedError("the group rebalanced")
        self.commits.append({tp: meta.offset for tp, meta in offsets.items()})


def records(tp: TopicPartition, *offsets: int) -> list[ConsumerRecord]:
    return [ConsumerRecord(tp.topic, tp.partition, o, 0, 0, None, b"", None, 0, -1, []) for o in offsets]


async def test_the_first_batch_is_committed_at_once_and_the_next_ones_together_when_the_second_is_over():
    consumer = _Consumer(A, B)
    pacer = CommitPacer("accordeer-intake", seconds=0.1)
    await pacer.applied(consumer, records(A, 0, 1))
    assert consumer.commits == [{A: 2}]
    await pacer.applied(consumer, records(A, 2))
    await pacer.applied(consumer, records(B, 7))
    assert consumer.commits == [{A: 2}]
    await asyncio.sleep(0.2)
    assert consumer.commits == [{A: 2}, {A: 3, B: 8}]
    assert pacer.pending == {}


async def test_what_is_held_back_is_committed_for_the_partitions_given_away_and_forgotten_for_the_ones_lost():
    consumer = _Consumer(A, B)
    pacer = CommitPacer("accordeer-intake", seconds=60)
    await pacer.applied(consumer, records(A, 0))
    await pacer.applied(consumer, records(A, 1))
    await pacer.applied(consumer, records(B, 4))
    await pacer.commit(consumer, {A})  # revoked: A goes, B stays
    assert consumer.commits == [{A: 1}, {A: 2}]
    assert pacer.pending == {B: 5}
    consumer.assigned = {A}  # B was lost without a revocation (a new assignment): its offset is no longer ours
    await pacer.commit(consumer)
    assert consumer.commits == [{A: 1}, {A: 2}]
    assert pacer.pending == {}
    pacer.close()


async def test_a_refused_commit_is_logged_and_the_consumer_goes_on():
    consumer = _Consumer(A, refuse=True)
    pacer = CommitPacer("accordeer-intake", seconds=0.05)
    await pacer.applied(consumer, records(A, 0))
    assert consumer.commits == []
    consumer.refuse = False
    await pacer.applied(consumer, records(A, 1))
    await asyncio.sleep(0.1)
    assert consumer.commits == [{A: 2}]


async def test_a_stopping_consumer_leaves_no_timer_and_its_stop_commits_what_is_held_back():
    consumer = _Consumer(A)
    pacer = CommitPacer("accordeer-intake", seconds=0.05)
    subscriber = SimpleNamespace(consumer=consumer, start=_noop, stop=_noop)
    commits_when_stopping(subscriber, pacer)
    await pacer.applied(consumer, records(A, 0))
    await pacer.applied(consumer, records(A, 1))  # held back for the timer
    await subscriber.stop()
    assert consumer.commits == [{A: 1}, {A: 2}]
    await pacer.applied(consumer, records(A, 2))  # a batch that ended while stopping: no timer for it
    await asyncio.sleep(0.1)
    assert consumer.commits == [{A: 1}, {A: 2}]
    await subscriber.start()  # started again: timed as before
    await pacer.applied(consumer, records(A, 3))
    assert consumer.commits == [{A: 1}, {A: 2}, {A: 4}]


async def test_a_commit_that_hangs_is_given_up(monkeypatch):
    monkeypatch.setattr(commits, "COMMIT_TIMEOUT_SECONDS", 0.05)
    consumer = _Consumer(A)

    async def for_ever(offsets):  # aiokafka retrying a retriable refusal (a deleted topic)
        await asyncio.Event().wait()

    consumer.commit = for_ever
    await asyncio.wait_for(CommitPacer("accordeer-intake").applied(consumer, records(A, 0)), 1)


async def _noop() -> None:
    return None
