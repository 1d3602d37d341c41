"""The one rule for background loops: rounds until cancelled, waiting what each round asks; a failing round is
logged (an expected outage in one line, anything else with its traceback) and the loop goes on after a pause."""

import asyncio
import logging

import pytest

from shared.loops import run_forever


async def test_rounds_go_on_after_failures_each_logged_as_what_it_is(caplog):
    outcomes = iter([ConnectionError("broker away"), ValueError("a bug"), 0.0, None])
    rounds = []

    async def one_round():
        rounds.append(len(rounds))
        outcome = next(outcomes, None)
        if isinstance(outcome, Exception):
            raise outcome
        if len(rounds) == 5:
            raise asyncio.CancelledError
        return outcome

    with caplog.at_level(logging.WARNING), pytest.raises(asyncio.CancelledError):
        await run_forever("testing", one_round, pause=0.001, transient=(ConnectionError,))

    assert rounds == [0, 1, 2, 3, 4]
    [outage, bug] = [r for r in caplog.records if r.name == "shared.loops"]  # not a leftover of an earlier test
    assert (outage.levelname, outage.exc_info) == ("WARNING", None) and "broker away" in outage.getMessage()
    assert bug.levelname == "ERROR" and bug.exc_info is not None


async def test_a_round_waits_as_long_as_it_asks():
    started = asyncio.get_running_loop().time()
    times = []

    async def one_round():
        times.append(asyncio.get_running_loop().time() - started)
        if len(times) == 2:
            raise asyncio.CancelledError
        return 0.05

    with pytest.raises(asyncio.CancelledError):
        await run_forever("testing", one_round)
    assert times[1] >= 0.05
