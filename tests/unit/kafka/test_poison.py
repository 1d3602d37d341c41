"""The poison-record rules as pure decisions: what is an infrastructure failure, what is "the same way", the
guard's arithmetic, and what the batch runner does with a fake apply (the real one runs in
tests/integration/test_poison_records.py)."""

import logging

import asyncpg
import pytest
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError, NotLeaderForPartitionError
from pydantic import BaseModel, ValidationError

from shared import dead_letters
from shared.directory.mirror import DirectoryNotCurrent
from shared.kafka.poison import (
    STOPPED,
    BatchRunner,
    DeadLetterGuard,
    Failure,
    PoisonSettings,
    Verdict,
    consumers_running,
    failed_the_same_way,
    is_infrastructure,
)
from tests.support.records import consumer_record


class _Model(BaseModel):
    n: int


def _validation_error() -> ValidationError:
    try:
        _Model.model_validate({"n": "x"})
    except ValidationError as error:
        return error
    raise AssertionError


def _raised_from(error: Exception, cause: Exception) -> Exception:
    try:
        raise error from cause
    except Exception as raised:
        return raised


@pytest.mark.parametrize(
    "error",
    [
        OSError("network unreachable"),
        ConnectionRefusedError(),
        TimeoutError(),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.TooManyConnectionsError("too many clients"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.exceptions.SerializationError("could not serialize access"),
        asyncpg.exceptions.DeadlockDetectedError("deadlock detected"),
        asyncpg.InterfaceError("pool is closing"),
        KafkaConnectionError(),
        KafkaTimeoutError(),
        NotLeaderForPartitionError(),
        DirectoryNotCurrent("the copy did not catch up"),
        _raised_from(RuntimeError("apply failed"), ConnectionResetError()),
        ExceptionGroup("several", [ValueError("x"), OSError("y")]),
    ],
    ids=lambda e: type(e).__name__,
)
def test_infrastructure_failures_are_never_a_records_fault(error):
    assert is_infrastructure(error)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("unexpected value"),
        KeyError("workflow"),
        ZeroDivisionError(),
        AssertionError("bug"),
        asyncpg.exceptions.UniqueViolationError("duplicate key"),
        asyncpg.exceptions.CheckViolationError("check"),
        asyncpg.exceptions.UndefinedTableError("relation does not exist"),
        _validation_error(),
    ],
    ids=lambda e: type(e).__name__,
)
def test_other_failures_may_be_a_records_fault(error):
    assert not is_infrastructure(error)


def test_the_same_way_means_the_same_type_and_message_on_every_try():
    same = [Failure.of(ValueError("bad amount")) for _ in range(3)]
    assert failed_the_same_way(same, 3)
    assert not failed_the_same_way(same[:2], 3)
    assert not failed_the_same_way([*same[:2], Failure.of(ValueError("other"))], 3)
    assert not failed_the_same_way([*same[:2], Failure.of(KeyError("bad amount"))], 3)
    assert Failure.of(ValueError("x")).type == "ValueError"
    assert Failure.of(asyncpg.exceptions.UniqueViolationError("x")).type == "asyncpg.exceptions.UniqueViolationError"


class _Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_guard_allows_dead_letters_below_the_minimum_and_within_the_share():
    clock = _Clock()
    guard = DeadLetterGuard(share=0.5, min_records=20, window_seconds=60, clock=clock)
    for _ in range(19):
        assert guard.allows_one_more()
        guard.dead_lettered()
    assert not guard.allows_one_more()  # 20 of 20
    guard.applied(20)
    assert guard.allows_one_more()  # 20 of 40 is half
    guard.dead_lettered()
    assert not guard.allows_one_more()  # 21 of 41 is more than half


def test_guard_forgets_what_left_the_window():
    clock = _Clock()
    guard = DeadLetterGuard(share=0.5, min_records=20, window_seconds=60, clock=clock)
    for _ in range(19):
        guard.dead_lettered()
    assert not guard.allows_one_more()
    clock.now += 61
    assert guard.allows_one_more() and guard.counts() == (0, 0)


class FakeConsumerOfRecords:
    """An apply that, like a transaction, applies all of a batch or nothing; ``poison`` offsets always fail."""

    def __init__(self, poison: dict[int, Exception] | None = None, *, every: Exception | None = None):
        self.poison = poison or {}
        self.every = every
        self.applied: list[int] = []
        self.calls = 0

    async def __call__(self, records) -> None:
        self.calls += 1
        if self.every is not None:
            raise self.every
        for record in records:
            if record.offset in self.poison:
                raise self.poison[record.offset]
        self.applied += [r.offset for r in records if r.offset not in self.applied]


QUICK = PoisonSettings(attempts=3, attempt_wait_seconds=0, guard_share=0.5, guard_min_records=20)


def _runner(apply, *, healthy=True, settings=QUICK) -> tuple[BatchRunner, list]:
    published = []

    async def publish(letter):
        published.append(letter)

    async def health():
        return healthy

    return BatchRunner(
        apply, group_id="g", publish=publish, healthy=health, settings=settings, retry_for_seconds=0.3
    ), published


def _records(count: int, topic: str = "t.dossier.items"):
    return [consumer_record(topic, f"k{i}", b"{}") for i in range(count)]


async def test_a_record_failing_the_same_way_is_dead_lettered_and_every_other_record_applied_once():
    records = _records(50)
    bad = records[17].offset
    apply = FakeConsumerOfRecords({bad: ValueError("amount is not a number")})
    runner, published = _runner(apply)
    assert await runner.run(records) is Verdict.APPLIED
    assert sorted(apply.applied) == sorted(r.offset for r in records if r.offset != bad)
    [letter] = published
    headers = dict(letter.headers)
    assert letter.topic == "t.dossier.items.dlq" and letter.key == "k17"
    assert headers[dead_letters.REASON_CODE] == "failed_repeatedly"
    assert headers[dead_letters.EXCEPTION_TYPE] == "ValueError"
    assert headers[dead_letters.EXCEPTION] == "amount is not a number"
    assert headers[dead_letters.ORIGINAL_OFFSET] == str(bad) and headers[dead_letters.REFUSED_BY] == "g"
    assert apply.calls < 25  # found by halving, not by trying all fifty alone


async def test_an_infrastructure_failure_is_retried_and_never_dead_lettered():
    apply = FakeConsumerOfRecords(every=asyncpg.exceptions.CannotConnectNowError("starting up"))
    runner, published = _runner(apply)
    assert await runner.run(_records(5)) is Verdict.REWIND
    assert published == [] and apply.calls > 1


async def test_nothing_is_dead_lettered_while_a_health_check_fails():
    records = _records(4)
    apply = FakeConsumerOfRecords({records[1].offset: ValueError("relation missing")})
    runner, published = _runner(apply, healthy=False)
    assert await runner.run(records) is Verdict.REWIND
    assert published == [] and apply.applied == []


async def test_a_record_failing_in_different_ways_is_retried_not_dead_lettered():
    records = _records(1)
    errors = iter([ValueError("one"), ValueError("two"), ValueError("three")] * 10)

    async def apply(_):
        raise next(errors)

    runner, published = _runner(apply)
    assert await runner.run(records) is Verdict.REWIND
    assert published == []


async def test_the_guard_stops_a_consumer_whose_every_record_fails(caplog):
    apply = FakeConsumerOfRecords(every=KeyError("missing setting"))
    runner, published = _runner(apply)
    caplog.set_level(logging.CRITICAL, logger="shared.kafka.poison")
    try:
        verdicts = [await runner.run(_records(1)) for _ in range(25)]
        assert verdicts[:19] == [Verdict.APPLIED] * 19  # dead-lettered while below the minimum of 20
        assert set(verdicts[19:]) == {Verdict.STOPPED}
        assert len(published) == 19
        [line] = [r for r in caplog.records if r.levelno == logging.CRITICAL]
        assert "would be dead letter 20 of the last 20 records" in line.getMessage()
        assert "KeyError" in line.getMessage()
        assert not await consumers_running()
    finally:
        STOPPED.clear()
