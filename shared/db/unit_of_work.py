"""The unit of work: one batch's transaction, holding the inbox claim, the service's repository and its outbox.

Every service applies a batch the same way::

    async with self.unit_of_work() as uow:
        fresh = await uow.claim(records)      # the records this consumer has not applied before
        ...                                   # decide, reading and writing through uow.repository
        uow.publish(events)                   # records to Kafka, written to the outbox at the commit

Leaving the block without an exception commits the state, the inbox positions and the outbox together; an
exception rolls all of it back (the batch is then redelivered). ``PostgresUnitOfWork`` is the real one; each
service's unit tests have an in-memory one with the same shape.
"""

from collections.abc import Callable, Iterable, Sequence
from contextlib import AsyncExitStack
from types import TracebackType
from typing import Generic, Protocol, Self, TypeVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from shared.db import outbox
from shared.db.inbox import R as Record
from shared.db.inbox import claim_unapplied
from shared.db.outbox import OutboxRecord

Repository = TypeVar("Repository", covariant=True)


class UnitOfWork(Protocol[Repository]):
    @property
    def repository(self) -> Repository:
        """The service's repository, on this unit of work's connection (set on entering)."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None: ...

    async def claim(self, records: Sequence[Record]) -> list[Record]:
        """The records not applied before by this consumer; all of them count as applied once this commits."""
        ...

    def publish(self, records: Iterable[OutboxRecord]) -> None:
        """Records to publish, in this order, once this commits."""
        ...


class PostgresUnitOfWork(Generic[Repository]):
    """A pooled connection in one transaction; the repository is built on that connection."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        schema: str,
        consumer: str,
        repository: Callable[[PoolConnectionProxy], Repository],
    ):
        self._pool = pool
        self._schema = schema
        self._consumer = consumer
        self._new_repository = repository
        self._outbox: list[OutboxRecord] = []

    async def __aenter__(self) -> Self:
        async with AsyncExitStack() as scope:
            self._conn = await scope.enter_async_context(self._pool.acquire())
            await scope.enter_async_context(self._conn.transaction())
            self._scope = scope.pop_all()
        self.repository = self._new_repository(self._conn)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if kind is None:
            try:
                await outbox.append(self._conn, self._schema, self._outbox)
            except BaseException as failure:  # the outbox could not be written: nothing of the batch is kept
                await self._scope.__aexit__(type(failure), failure, failure.__traceback__)
                raise
        await self._scope.__aexit__(kind, error, traceback)

    async def claim(self, records: Sequence[Record]) -> list[Record]:
        return await claim_unapplied(self._conn, self._schema, self._consumer, records)

    def publish(self, records: Iterable[OutboxRecord]) -> None:
        self._outbox.extend(records)
