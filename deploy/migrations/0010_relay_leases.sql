-- The outbox relay's lease and the rows Kafka refused, in every service schema.
-- relay_leases: which process relays the outbox (one row per lane; lane 0 is the whole outbox today, so the
--   outbox can later be split by key into lanes, each with its own lease). The holder renews renewed_at every
--   second; a challenger that finds it older than the lease time ends the holder's session (backend_pid,
--   backend_start, so a reused pid is never mistaken for it) and takes over with token + 1. Deletes from the
--   outbox are fenced by the token.
-- outbox_set_aside: rows Kafka refuses for good (too large, unknown topic, invalid record), moved out of the
--   outbox in the transaction that deletes them, with why, so they never block the rows behind them.
-- depends: 0008_dispatch_breaker
CREATE TABLE intake.relay_leases (
  lane int PRIMARY KEY, holder text NOT NULL, token bigint NOT NULL,
  backend_pid int NOT NULL, backend_start timestamptz NOT NULL,
  acquired_at timestamptz NOT NULL DEFAULT now(), renewed_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE workflow.relay_leases (LIKE intake.relay_leases INCLUDING ALL);
CREATE TABLE dispatch.relay_leases (LIKE intake.relay_leases INCLUDING ALL);
CREATE TABLE notifier.relay_leases (LIKE intake.relay_leases INCLUDING ALL);
CREATE TABLE portal.relay_leases (LIKE intake.relay_leases INCLUDING ALL);

CREATE TABLE intake.outbox_set_aside (
  id bigint PRIMARY KEY, topic text NOT NULL, key bytea, value bytea NOT NULL, headers jsonb NOT NULL,
  created_at timestamptz NOT NULL, set_aside_at timestamptz NOT NULL DEFAULT now(),
  reason text NOT NULL, error text NOT NULL);
CREATE TABLE workflow.outbox_set_aside (LIKE intake.outbox_set_aside INCLUDING ALL);
CREATE TABLE dispatch.outbox_set_aside (LIKE intake.outbox_set_aside INCLUDING ALL);
CREATE TABLE notifier.outbox_set_aside (LIKE intake.outbox_set_aside INCLUDING ALL);
CREATE TABLE portal.outbox_set_aside (LIKE intake.outbox_set_aside INCLUDING ALL);
