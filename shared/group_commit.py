"""Group commit: many concurrent callers, each with one small write, share one transaction.

A caller hands its item over and awaits its own answer. While a write is in flight the next callers queue; when
it ends, all of them are written together. Nothing waits on a timer: with one caller at a time each write holds
one item, and the busier the callers the larger the writes.
"""

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from collections.abc import Set as AbstractSet
from typing import Generic, TypeVar

Item = TypeVar("Item")


class GroupCommit(Generic[Item]):
    def __init__(
        self, write: Callable[[Sequence[Item]], Awaitable[AbstractSet[Hashable]]], key: Callable[[Item], Hashable]
    ):
        """``write`` stores a group of items in one transaction and returns the keys of those it stored (an item
        it may refuse, a lease run out, is left out); ``key`` names an item."""
        self._write = write
        self._key = key
        self._waiting: list[tuple[Item, asyncio.Future[bool]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def add(self, item: Item) -> bool:
        """Whether ``item`` was stored; the write's exception if it failed."""
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, answer))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all())
        return await answer

    async def _write_all(self) -> None:
        group: list[tuple[Item, asyncio.Future[bool]]] = []
        try:
            while self._waiting:
                group, self._waiting = self._waiting, []
                try:
                    stored = await self._write([item for item, _ in group])
                except Exception as exc:  # every caller in the group learns it, as if it had written alone
                    _answer(group, exception=exc)
                    continue
                for item, answer in group:
                    if not answer.done():
                        answer.set_result(self._key(item) in stored)
        except asyncio.CancelledError:  # shutting down: no caller is left waiting for an answer that never comes
            _answer(group + self._waiting, exception=asyncio.CancelledError())
            self._waiting = []
            raise


def _answer(group: Sequence[tuple[object, asyncio.Future[bool]]], *, exception: BaseException) -> None:
    for _, answer in group:
        if not answer.done():
            answer.set_exception(exception)
