"""Each assigned partition starts at the service's stored position (shared/kafka/resume.py): behind the committed
offset after a restore, ahead of it after a crash between the two commits; without an answer from PostgreSQL the
consumer stays at the committed offsets and says so. The topics a service applies first are caught up, by the whole
group, before its other partitions are read."""

import asyncio
from types import SimpleNamespace

import asyncpg
from aiokafka import TopicPartition

from shared.kafka import resume
from shared.kafka.resume import ResumeAtApplied

A, B, C = (TopicPartition("dossier.items", n) for n in range(3))
ACTION = TopicPartition("workflow.actions.from.portal", 0)


class _Consumer:
    def __init__(self, assigned):
        self.assigned = set(assigned)
        self.seeks: dict[TopicPartition, int] = {}
        self.paused: set[TopicPartition] = set()

    def assignment(self):
        return self.assigned

    def seek(self, partition, offset):
        self.seeks[partition] = offset

    # What the hold uses: the topic's partitions as the cluster has them, their ends, and pausing.
    def partitions_for_topic(self, topic):
        return {0, 1, 2} if topic == "dossier.items" else None

    async def end_offsets(self, partitions):
        return {p: 10 * (p.partition + 1) for p in partitions}

    def pause(self, *partitions):
        self.paused = self.paused | set(partitions)

    def resume(self, *partitions):
        self.paused = self.paused - set(partitions)


def _listener(applied, consumer, applies_first=frozenset()):
    listener = ResumeAtApplied(applied, "accordeer-workflow", applies_first=applies_first)
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


async def test_the_other_partitions_wait_until_the_group_applied_the_first_topics_up_to_their_ends():
    """After a restore both items and actions are read again; an action must not be read before its item, which
    another member of the group may be applying."""
    consumer = _Consumer({A, ACTION})
    stored = {A: 10, B: 20}  # C (ends at 30) is applied by another member, not yet

    async def applied(partitions):
        return {p: stored[p] for p in partitions if p in stored}

    listener = _listener(applied, consumer, frozenset({"dossier.items"}))
    await listener.on_partitions_assigned({A, ACTION})
    assert consumer.paused == {ACTION}
    await asyncio.sleep(0.5)
    assert consumer.paused == {ACTION}, "C is behind"
    stored[C] = 30
    await asyncio.wait_for(listener._holding, timeout=5)
    assert consumer.paused == set()


async def test_a_hold_that_lasts_too_long_reads_on_and_says_what_was_behind(monkeypatch):
    monkeypatch.setattr(resume, "HOLD_SECONDS", 0.3)
    said = []
    monkeypatch.setattr(resume, "log", SimpleNamespace(warning=lambda event, **fields: said.append((event, fields))))
    consumer = _Consumer({A, ACTION})

    async def applied(partitions):
        return {}

    listener = _listener(applied, consumer, frozenset({"dossier.items"}))
    await listener.on_partitions_assigned({A, ACTION})
    await asyncio.wait_for(listener._holding, timeout=5)
    assert consumer.paused == set()
    [(event, fields)] = said
    assert event.startswith("reading on before") and fields["behind"] == [
        "dossier.items[0]",
        "dossier.items[1]",
        "dossier.items[2]",
    ]


async def test_a_rebalance_ends_the_hold_of_the_assignment_before_it():
    consumer = _Consumer({A, ACTION})

    async def applied(partitions):
        return {}

    listener = _listener(applied, consumer, frozenset({"dossier.items"}))
    await listener.on_partitions_assigned({A, ACTION})
    holding = listener._holding
    await listener.on_partitions_revoked({A, ACTION})
    await asyncio.sleep(0)
    assert holding.cancelled() or holding.done()


async def _no_wait(_seconds):
    return None


async def test_every_partition_is_paused_while_the_stored_positions_are_read():
    """aiokafka fetches at the committed offsets while the listener waits for PostgreSQL; a record fetched there
    (after a restore: an action past its item) must not be handed out before the partition was moved."""
    consumer = _Consumer({A, ACTION})
    paused_while_reading = []

    async def applied(partitions):
        paused_while_reading.append(set(consumer.paused))
        return {A: 3, ACTION: 4}

    await _listener(applied, consumer).on_partitions_assigned({A, ACTION})
    assert paused_while_reading == [{A, ACTION}]
    assert consumer.seeks == {A: 3, ACTION: 4} and consumer.paused == set()


async def test_without_an_answer_every_partition_is_read_again_from_the_committed_offsets(monkeypatch):
    monkeypatch.setattr(resume, "WAIT_SECONDS", 0.05)
    monkeypatch.setattr(resume, "log", SimpleNamespace(error=lambda event, **fields: None))

    async def applied(partitions):
        await asyncio.sleep(1)
        return {}

    consumer = _Consumer({A, ACTION})
    await _listener(applied, consumer, frozenset({"dossier.items"})).on_partitions_assigned({A, ACTION})
    assert consumer.seeks == {} and consumer.paused == set()
