"""The status of one partition over a sliding window of samples, after Burrow's evaluation rules.

Rules, in order, on the samples since the last reset (see ``since_last_reset``):

1. No lag in the latest sample: OK.
2. No member in the group and lag: STOP. Kafka's OffsetFetch gives no commit
   time, so "no commits for the window" cannot be told apart from "the same
   offset committed again"; what Kafka does expose is the group's membership
   (DescribeGroups). With nobody in the group nothing will commit, whatever
   the window shows, so this is STOP at once. A member that is there but does
   not move the offset is STALL (rule 5). A killed consumer stays a member
   until its session times out: STALL first, then STOP.
3. A single sample cannot show movement: OK (the reason says so).
4. Lag was zero somewhere in the window: OK (Burrow's rule 1: it caught up
   recently; the new lag is fresh).
5. The position did not move over the window: STALL.
6. The position moved but the lag never decreased between samples: WARN.
7. Otherwise OK: the lag went down at least once; the consumer keeps up.

A group that never committed reads from the log start, so its lag is the whole
partition and its position is the log start: the same rules apply.
"""

from collections.abc import Callable, Sequence
from itertools import pairwise

from shared.lag.model import PartitionSample, PartitionStatus, Status


def evaluate(window: Sequence[PartitionSample]) -> PartitionStatus:
    """``window``: one partition's samples, oldest first."""
    window = tuple(window)
    if not window:
        raise ValueError("evaluate needs at least one sample")
    if len({s.key for s in window}) > 1:
        raise ValueError("a window holds the samples of one partition of one group")
    recent = since_last_reset(window)
    status, reason = _judge(recent)
    if len(recent) < len(window):
        reason += "; judged since an offset reset"
    return PartitionStatus(
        recent[-1], status, reason, _rate(recent, lambda s: s.position), _rate(recent, lambda s: s.end), len(recent)
    )


def since_last_reset(window: Sequence[PartitionSample]) -> Sequence[PartitionSample]:
    """The samples after the last step back of the high watermark (topic recreated or truncated) or of the
    position (offsets reset): comparing across such a step would read a rewind as progress or as a stall."""
    window = tuple(window)
    start = 0
    for i, (before, after) in enumerate(pairwise(window), start=1):
        if after.end < before.end or after.position < before.position:
            start = i
    return window[start:]


def _judge(window: Sequence[PartitionSample]) -> tuple[Status, str]:
    latest = window[-1]
    never = "" if latest.committed is not None else " (never committed: the whole partition waits)"
    if latest.lag == 0:
        return Status.OK, "caught up"
    if latest.members == 0:
        return Status.STOP, f"no consumer in the group{never}"
    if len(window) < 2:
        return Status.OK, f"one sample: lag {latest.lag}, trend not known yet{never}"
    if any(s.lag == 0 for s in window):
        return Status.OK, "caught up within the window"
    if window[0].position == latest.position:
        return Status.STALL, f"position stuck at {latest.position} with lag {latest.lag}{never}"
    lags = [s.lag for s in window]
    if all(after >= before for before, after in pairwise(lags)):
        growing = "growing" if lags[-1] > lags[0] else "not shrinking"
        return Status.WARN, f"lag {growing} ({lags[0]} → {lags[-1]}) while offsets advance"
    return Status.OK, f"consuming; lag {lags[0]} → {lags[-1]}"


def _rate(window: Sequence[PartitionSample], offset: Callable[[PartitionSample], int]) -> float:
    seconds = window[-1].at - window[0].at
    if seconds <= 0:
        return 0.0
    return max(0.0, (offset(window[-1]) - offset(window[0])) / seconds)
