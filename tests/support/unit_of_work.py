"""The unit of work in memory, for each service's fast tests: ``Tables`` hold the inbox positions and the outbox
beside a service's own tables; a unit of work that raises leaves them all as they were (but for the attributes a
``Tables`` names in ``kept_across_rollback``, such as a test's clock)."""

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from shared.db.outbox import OutboxRecord


@dataclass
class Tables:
    positions: dict[tuple[str, int], int] = field(default_factory=dict)
    outbox: list[OutboxRecord] = field(default_factory=list)


TablesT = TypeVar("TablesT", bound=Tables)
RepositoryT = TypeVar("RepositoryT")


class InMemoryUnitOfWork(Generic[TablesT, RepositoryT]):
    """``repository`` makes a service's repository on its own ``Tables``: what ``self.repository`` is inside."""

    def __init__(self, tables: TablesT, repository: Callable[[TablesT], RepositoryT]):
        self.tables = tables
        self._new_repository = repository
        self._outbox: list[OutboxRecord] = []

    async def __aenter__(self) -> "InMemoryUnitOfWork[TablesT, RepositoryT]":
        kept = getattr(self.tables, "kept_across_rollback", ())
        self._before = copy.deepcopy({k: v for k, v in vars(self.tables).items() if k not in kept})
        self.repository = self._new_repository(self.tables)
        return self

    async def __aexit__(self, kind, error, traceback) -> None:
        if kind is None:
            self.tables.outbox.extend(self._outbox)
        else:
            self.tables.__dict__.update(self._before)

    async def claim(self, records):
        fresh = [r for r in records if r.offset >= self.tables.positions.get((r.topic, r.partition), 0)]
        for r in records:
            key = (r.topic, r.partition)
            self.tables.positions[key] = max(self.tables.positions.get(key, 0), r.offset + 1)
        return fresh

    def publish(self, records) -> None:
        self._outbox.extend(records)
