"""Poison records: which failures are a record's fault, and what a batch subscriber does about them.

A batch that fails is first retried whole (the usual cause is the database or
the broker). A failure that is not an infrastructure failure, seen while the
database and the broker both answer, makes the batch be split in halves until
the failing record is alone; that record is tried ``attempts`` times and, when
it failed the same way every time (same exception type and message), it is
published to ``<its topic>.dlq`` directly with the service's producer (its
transaction failed, so the outbox cannot carry it) with the exception in the
headers, and the rest of the batch is applied. Infrastructure failures, and any
failure while a health check fails, are retried and never dead-letter.

A guard stops a consumer that would dead-letter more than a share of the
records it saw in a window: a misconfiguration (a missing table, a wrong
setting) makes every record fail the same way, and must stop the consumer, not
empty its topic into the dead-letter topic.
"""

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import Enum

import asyncpg
from aiokafka import ConsumerRecord
from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError
from prometheus_client import Gauge
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_delay,
    wait_exponential_jitter,
)

from shared import dead_letters, metrics
from shared.db.outbox import OutboxRecord
from shared.topics import UNPREFIXED, Topics

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[bool]]
ApplyBatch = Callable[[Sequence[ConsumerRecord]], Awaitable[None]]
Publish = Callable[[OutboxRecord], Awaitable[None]]
Coordinates = tuple[str, int, int]
"""A record's topic, partition and offset."""

CONSUMER_STOPPED = Gauge(
    "accordeer_consumer_stopped",
    "1 while a consumer group's member has stopped consuming because it would have "
    "dead-lettered too large a share of its records (see its CRITICAL log line).",
    ["group"],
)


class PoisonSettings(BaseSettings):
    """When a failing record is dead-lettered, and when a consumer stops instead (``ACCORDEER_POISON_*``)."""

    model_config = SettingsConfigDict(env_prefix="ACCORDEER_POISON_", env_file=".env", extra="ignore")

    attempts: int = Field(
        3,
        ge=1,
        description="Tries of a record on its own, each failing the same way while the "
        "database and broker answer, before it is dead-lettered.",
    )
    attempt_wait_seconds: float = Field(0.5, ge=0, description="Wait after the n-th failed try: n times this.")
    health_timeout_seconds: float = Field(5.0, gt=0, description="How long a health check may take to answer.")
    guard_share: float = Field(
        0.5,
        gt=0,
        le=1,
        description="Most share of the records in the window that may be dead-lettered; one more stops the consumer.",
    )
    guard_min_records: int = Field(20, ge=1, description="The share is judged only over at least this many records.")
    guard_window_seconds: float = Field(60.0, gt=0, description="The window the share is counted over.")


class InfrastructureFailure(Exception):
    """Raised by our own code for a failure of the infrastructure (e.g. a copy that could not catch up in time)."""


INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # refused or reset connections, DNS, TimeoutError (asyncio's too)
    asyncpg.PostgresConnectionError,  # 08xxx: the connection failed or is gone
    asyncpg.InterfaceError,  # the client side: connection closed, pool closing
    asyncpg.exceptions.OperatorInterventionError,  # 57xxx: admin shutdown, cannot connect now, query cancelled
    asyncpg.exceptions.InsufficientResourcesError,  # 53xxx: too many connections, disk full, out of memory
    asyncpg.exceptions.TransactionRollbackError,  # 40xxx: serialization failure, deadlock; retrying is the cure
    KafkaConnectionError,
    KafkaTimeoutError,
    InfrastructureFailure,
)
"""Failures that say nothing about the record: retried for ever, never dead-lettered. (Kafka errors that say
they are retriable count too.)"""


def is_infrastructure(error: BaseException) -> bool:
    """Whether ``error``, or anything it was raised from or wraps, is an infrastructure failure."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, INFRASTRUCTURE_ERRORS):
            return True
        if isinstance(current, KafkaError) and current.retriable:
            return True
        if isinstance(current, BaseExceptionGroup):
            pending += current.exceptions
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]
    return False


@dataclass(frozen=True)
class Failure:
    """How one try failed; two tries failed "the same way" when these are equal."""

    type: str
    message: str

    @classmethod
    def of(cls, error: BaseException) -> "Failure":
        kind = type(error)
        name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
        return cls(name, str(error)[:1000])

    def __str__(self) -> str:
        return f"{self.type}: {self.message}"


def failed_the_same_way(failures: Sequence[Failure], attempts: int) -> bool:
    """Every one of at least ``attempts`` tries failed with the same exception type and message."""
    return len(failures) >= attempts and len(set(failures)) == 1


class DeadLetterGuard:
    """Counts the records a consumer settled in a sliding window, and how many of them it dead-lettered."""

    def __init__(
        self, *, share: float, min_records: int, window_seconds: float, clock: Callable[[], float] = time.monotonic
    ):
        self.share = share
        self.min_records = min_records
        self.window_seconds = window_seconds
        self.clock = clock
        self._events: deque[tuple[float, int, int]] = deque()  # (when, records settled, of which dead-lettered)
        self.tripped: str | None = None

    def applied(self, records: int) -> None:
        if records:
            self._events.append((self.clock(), records, 0))

    def dead_lettered(self) -> None:
        self._events.append((self.clock(), 1, 1))

    def counts(self) -> tuple[int, int]:
        """(records, dead letters) within the window."""
        horizon = self.clock() - self.window_seconds
        while self._events and self._events[0][0] < horizon:
            self._events.popleft()
        return sum(e[1] for e in self._events), sum(e[2] for e in self._events)

    def allows_one_more(self) -> bool:
        """Whether dead-lettering one more record keeps the share within bounds."""
        records, dead = self.counts()
        records, dead = records + 1, dead + 1
        return records < self.min_records or dead / records <= self.share

    def trip(self, why: str) -> None:
        self.tripped = why


class Verdict(Enum):
    APPLIED = "applied"  # every record applied or dead-lettered: commit
    REWIND = "rewind"  # infrastructure trouble outlasted the retries: read the batch again
    STOPPED = "stopped"  # the guard stopped this consumer


class _Transient(Exception):
    """A failure to retry (infrastructure, an unhealthy dependency, or a record failing in different ways)."""


class _GuardTripped(Exception):
    pass


def _coordinates(record: ConsumerRecord) -> Coordinates:
    return record.topic, record.partition, record.offset


class BatchRunner:
    """Applies batches of one consumer with the rules above; ``run`` says what to do with the batch's offsets."""

    def __init__(
        self,
        apply: ApplyBatch,
        *,
        group_id: str,
        publish: Publish,
        healthy: Check,
        settings: PoisonSettings,
        retry_for_seconds: float,
        topics: Topics = UNPREFIXED,
    ):
        self.apply = apply
        self.group_id = group_id
        self.publish = publish
        self.healthy = healthy
        self.settings = settings
        self.retry_for_seconds = retry_for_seconds
        self.topics = topics
        self.guard = DeadLetterGuard(
            share=settings.guard_share,
            min_records=settings.guard_min_records,
            window_seconds=settings.guard_window_seconds,
        )

    async def run(self, records: Sequence[ConsumerRecord]) -> Verdict:
        if self.guard.tripped:
            return Verdict.STOPPED
        passed: set[Coordinates] = set()  # dead-lettered in this run: never applied again
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_delay(self.retry_for_seconds),
                wait=wait_exponential_jitter(multiplier=0.2, max=10),
                retry=retry_if_exception_type(_Transient),
                reraise=True,
                before_sleep=self._retrying(len(records)),
            ):
                with attempt:
                    await self._settle([r for r in records if _coordinates(r) not in passed], passed)
        except _Transient as failure:
            log.error(
                "batch of %d records (group %s) still failing after %.0fs: %s; reading it again",
                len(records),
                self.group_id,
                self.retry_for_seconds,
                failure.__cause__ or failure,
            )
            return Verdict.REWIND
        except _GuardTripped:
            return Verdict.STOPPED
        return Verdict.APPLIED

    def _retrying(self, count: int) -> Callable[[RetryCallState], None]:
        def log_it(state: RetryCallState) -> None:
            # tenacity calls it after a failed attempt (its outcome), before the sleep it chose (its next action).
            assert state.outcome is not None and state.next_action is not None
            error = state.outcome.exception()
            log.warning(
                "batch of %d records (group %s) failed, retrying in %.1fs: %s",
                count,
                self.group_id,
                state.next_action.sleep,
                (error.__cause__ or error) if error is not None else None,
            )

        return log_it

    async def _settle(self, records: list[ConsumerRecord], passed: set[Coordinates]) -> None:
        """Apply ``records`` whole; when one of them is at fault, split until it is found."""
        if not records:
            return
        failure = await self._try(records)
        if failure is None:
            self.guard.applied(len(records))
            return
        if len(records) == 1:
            await self._judge(records[0], failure, passed)
            return
        middle = len(records) // 2
        # In order: records of one partition are applied in offset order, whatever the split.
        await self._settle(records[:middle], passed)
        await self._settle(records[middle:], passed)

    async def _judge(self, record: ConsumerRecord, first: Failure, passed: set[Coordinates]) -> None:
        """The record failed alone (``first``); try it until ``attempts`` tries, then dead-letter or retry."""
        failures = [first]
        while len(failures) < self.settings.attempts:
            await asyncio.sleep(self.settings.attempt_wait_seconds * len(failures))
            failure = await self._try([record])
            if failure is None:
                self.guard.applied(1)
                return
            failures.append(failure)
        if not failed_the_same_way(failures, self.settings.attempts):
            raise _Transient(f"{_where(record)} failed in different ways: {'; '.join(map(str, set(failures)))}")
        if not self.guard.allows_one_more():
            self._stop(record, failures[-1])
        await self._dead_letter(record, failures[-1])
        passed.add(_coordinates(record))

    async def _try(self, records: Sequence[ConsumerRecord]) -> Failure | None:
        """None when applied; the failure when it may be the records' fault; raises _Transient otherwise."""
        try:
            await self.apply(records)
            return None
        except Exception as error:
            if is_infrastructure(error):
                raise _Transient(str(error)) from error
            if not await self._infrastructure_answers():
                raise _Transient(f"{Failure.of(error)} while a health check failed") from error
            return Failure.of(error)

    async def _infrastructure_answers(self) -> bool:
        try:
            return await asyncio.wait_for(self.healthy(), self.settings.health_timeout_seconds)
        except Exception:  # an exception from a health check is its answer
            return False

    async def _dead_letter(self, record: ConsumerRecord, failure: Failure) -> None:
        letter = dead_letters.dead_letter(
            self.topics.dead_letters_of(record.topic),
            record,
            reason_code=dead_letters.FAILED_REPEATEDLY,
            reason=f"failed {self.settings.attempts} times the same way while the database and broker answered: "
            f"{failure}"[:1000],
            refused_by=self.group_id,
            extra_headers=((dead_letters.EXCEPTION_TYPE, failure.type), (dead_letters.EXCEPTION, failure.message)),
        )
        try:
            await self.publish(letter)
        except Exception as error:
            raise _Transient(f"could not publish the dead letter of {_where(record)}: {error}") from error
        self.guard.dead_lettered()
        metrics.DEAD_LETTERS.labels(topic=letter.topic, reason=dead_letters.FAILED_REPEATEDLY).inc()
        log.error(
            "%s dead-lettered to %s by group %s: it failed %d times the same way while the database and "
            "broker answered: %s",
            _where(record),
            letter.topic,
            self.group_id,
            self.settings.attempts,
            failure,
        )

    def _stop(self, record: ConsumerRecord, failure: Failure) -> None:
        records, dead = self.guard.counts()
        why = (
            f"stopped consuming: {_where(record)} would be dead letter {dead + 1} of the last {records + 1} "
            f"records within {self.settings.guard_window_seconds:.0f}s (more than "
            f"{self.settings.guard_share:.0%}); it failed with {failure}"
        )
        self.guard.trip(why)
        CONSUMER_STOPPED.labels(group=self.group_id).set(1)
        STOPPED[self.group_id] = why
        log.critical(
            "consumer group %s %s. Nothing more is dead-lettered or consumed by this process until it is "
            "restarted: fix the cause (often configuration or the database schema), then restart it.",
            self.group_id,
            why,
        )
        raise _GuardTripped(why)


STOPPED: dict[str, str] = {}
"""Consumer groups this process stopped consuming, with why: for its health endpoint."""


async def consumers_running() -> bool:
    """A health check: False once the guard stopped a consumer of this process."""
    return not STOPPED


async def pool_answers(pool: asyncpg.Pool) -> bool:
    """The database health check: ``SELECT 1`` on the service's pool."""
    answer: object = await pool.fetchval("SELECT 1")
    return answer == 1


def _where(record: ConsumerRecord) -> str:
    return f"{record.topic}[{record.partition}]@{record.offset}"
