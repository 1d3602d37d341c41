"""`make soak`: the chaos run held at a steady rate for an hour with faults every few minutes, sampled each minute
(memory and open files per process, table sizes and dead tuples, outbox depth, lag, p99 publish→80), judged for
growth without bound as well as by the chaos checker."""
