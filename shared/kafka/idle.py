"""How our processes wait when nothing arrives: the settings that decide how often an idle process wakes.

Each wake-up of an idle process costs CPU for nothing; an office's system is idle most of the day. What wakes it
is chosen here rather than left at the libraries' defaults, which favour a few milliseconds of reaction to a
rebalance over sleeping.
"""

FETCHER_WAKE_MS = 3000
"""aiokafka's background fetcher plans its next fetches every ``consumer_timeout_ms`` (200 by default: five
wake-ups a second per consumer) even with nothing to plan. It reacts at once to records, to their consumption, to a
resumed partition and to a lost assignment; the timeout only bounds how late it notices anything else."""

FETCH_WAIT_MS = 3000
"""How long a fetch waits at the broker when there is nothing new (``fetch_max_wait_ms``, 500 by default). The
broker answers as soon as a record arrives, so this costs no latency: it only sets how often an idle consumer's
fetch comes back empty. Coordination (commits, heartbeats) goes over a connection of its own and never waits behind
it. A consumer's poll (``batch_timeout_ms``) waits as long.

What it does cost: a partition resumed or moved by a seek while a fetch waits at the broker is fetched once that
fetch returns (the broker answers a connection's requests in order), so up to this long after a rebalance's hold.
At 1,000 ms an idle stack's consumers woke about four times a second each, a fifth of an idle process's CPU."""
