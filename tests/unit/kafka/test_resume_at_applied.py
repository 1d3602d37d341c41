"""Each assigned partition starts at the service's stored position (shared/kafka/resume.py): behind the committed
offset after a restore, ahead of it after a crash between the two commits; without an answer from PostgreSQL the
consumer stays at the committed offsets and says so."""

from types import SimpleNamespace

import asyncpg
from aiokafka import TopicPartition

from shared.kafka import resume
from shared.kafka.resume import ResumeAtApplied

A, B, C = (TopicPartition("dossier.items", n) for n in range(3))


class _Consumer:
    def __init__(self, assigned):
        self.assigned = set(assigned)
        self.seeks: dict[TopicPartition, int] = {}

    def assignment(self):
        return self.assigned

    def seek(self, partition, offset):
        self.seeks[partition] = offset


def _listener(applied, consumer):
    listener = ResumeAtApplied(applied, "accordeer-workflow")
    listener.subscriber = SimpleNamespace(consumer=consumer)
    return listener


async def test_every_partition_with_a_stored_position_starts_there():
    consumer = _Consumer({A, B, C})

    async def applied(partitions):
        assert partitions == [A, B, C]
        return {A: 17, B: 0}

    await _listener(applied, consumer).on_partitions_assigned({A, B, C})
    assert consumer.seeks == {A: 17, B: 0, C: 0}  # nothing applied from C yet: from its beginning


async def test_postgresql_restarting_is_waited_for(monkeypatch):
    monkeypatch.setattr(resume.asyncio, "sleep", _no_wait)
    answers = iter([OSError("connection refused"), asyncpg.CannotConnectNowError("starting up"), {A: 5}])

    async def applied(partitions):
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    consumer = _Consumer({A})
    await _listener(applied, consumer).on_partitions_assigned({A})
    assert consumer.seeks == {A: 5}


async def test_without_an_answer_in_time_the_committed_offsets_stand(monkeypatch):
    monkeypatch.setattr(resume, "WAIT_SECONDS", 0.05)
    said = []
    monkeypatch.setattr(resume, "log", SimpleNamespace(error=lambda event, **fields: said.append((event, fields))))

    async def applied(partitions):
        raise OSError("connection refused")

    consumer = _Consumer({A})
    await _listener(applied, consumer).on_partitions_assigned({A})
    assert consumer.seeks == {}
    [(event, fields)] = said
    assert event.startswith("stored positions not read") and fields["error"] == "TimeoutError"


async def test_nothing_is_read_before_the_consumer_exists_or_for_an_empty_assignment():
    async def applied(partitions):
        raise AssertionError("not asked")

    await ResumeAtApplied(applied, "g").on_partitions_assigned({A})
    await _listener(applied, _Consumer(set())).on_partitions_assigned(set())


async def _no_wait(_seconds):
    return None
