"""Group commit: concurrent callers share writes, each learns its own answer, and a failed write fails only
its own group."""

import asyncio

import pytest

from shared.group_commit import GroupCommit


class Store:
    def __init__(self, refuse: frozenset[int] | set[int] = frozenset(), fail_first: bool = False):
        self.writes: list[list[int]] = []
        self.refuse = refuse
        self.fail_first = fail_first

    async def write(self, items):
        self.writes.append(list(items))
        await asyncio.sleep(0.01)  # a transaction's round trips
        if self.fail_first and len(self.writes) == 1:
            raise ConnectionError("database away")
        return {i for i in items if i not in self.refuse}


async def test_callers_that_arrive_during_a_write_share_the_next_one():
    store = Store(refuse={7})
    group = GroupCommit(store.write, key=lambda i: i)
    first = asyncio.create_task(group.add(0))
    await asyncio.sleep(0.001)  # its write is under way
    answers = await asyncio.gather(first, *(group.add(i) for i in range(1, 20)))

    assert answers == [i != 7 for i in range(20)], "each caller gets its own answer"
    assert store.writes == [[0], list(range(1, 20))], "the first writes alone, the rest wait and go together"


async def test_one_caller_at_a_time_writes_at_once():
    store = Store()
    group = GroupCommit(store.write, key=lambda i: i)
    for i in range(3):
        assert await group.add(i)
    assert store.writes == [[0], [1], [2]]


async def test_a_failed_write_fails_its_own_callers_and_the_next_group_is_still_written():
    store = Store(fail_first=True)
    group = GroupCommit(store.write, key=lambda i: i)
    first = asyncio.create_task(group.add(1))
    await asyncio.sleep(0)
    later = [asyncio.create_task(group.add(i)) for i in (2, 3)]

    with pytest.raises(ConnectionError):
        await first
    assert await asyncio.gather(*later) == [True, True]


async def test_a_cancelled_writer_leaves_no_caller_waiting():
    store = Store()
    group = GroupCommit(store.write, key=lambda i: i)
    callers = [asyncio.create_task(group.add(i)) for i in range(3)]
    await asyncio.sleep(0.001)
    group._writer.cancel()

    outcomes = await asyncio.wait_for(asyncio.gather(*callers, return_exceptions=True), 1)
    assert all(isinstance(o, asyncio.CancelledError) for o in outcomes)
