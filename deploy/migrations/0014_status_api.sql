-- The status API: every source's statuses as a stream of its own, for reconciliation over HTTP (Digipoort's
-- StatusinformatieService), fed from messages.status and declarations.refused.
-- inbox_positions / outbox / relay_leases / outbox_set_aside: the plumbing every service schema has (0001, 0010,
--   0013); the outbox carries the dead letters of records that do not match their topic's contract.
-- events: one row per line of a source's stream: a status of its message ('status'), or a submission refused
--   under the id of a message that keeps its own status ('refused', status_code 0). seq numbers each source's
--   lines 1, 2, 3, ... without gaps, in the order they were committed, so "what is new since seq N" misses none.
-- sequences: each source's last seq. The consumer takes its source's row FOR UPDATE in the transaction that stores
--   the lines, so the numbers of one source are handed out (and committed) one transaction after the other, and a
--   rolled-back transaction gives its numbers back.
-- clients: each source's API key, as its SHA-256 only (`accordeer status-api key SOURCE` issues it).
-- depends: 0013_outbox_lanes
CREATE SCHEMA IF NOT EXISTS status_api;

CREATE TABLE status_api.inbox_positions (LIKE intake.inbox_positions INCLUDING ALL);
CREATE TABLE status_api.outbox (LIKE intake.outbox INCLUDING ALL);
CREATE TRIGGER outbox_notify AFTER INSERT ON status_api.outbox FOR EACH STATEMENT EXECUTE FUNCTION public.notify_outbox();
CREATE TABLE status_api.relay_leases (LIKE intake.relay_leases INCLUDING ALL);
CREATE TABLE status_api.outbox_set_aside (LIKE intake.outbox_set_aside INCLUDING ALL);

CREATE TABLE status_api.events (
  source text NOT NULL,
  seq bigint NOT NULL CHECK (seq > 0),
  event_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('status', 'refused')),
  -- Empty only for a refused submission whose message_id could not be read.
  message_id text,
  dossier_item_id text,
  status_code int NOT NULL,
  status text NOT NULL,
  detail text NOT NULL DEFAULT '',
  reason_code text,
  authority_status_code text,
  occurred_at timestamptz NOT NULL,
  PRIMARY KEY (source, seq),
  -- Per source: a status event's id is derived from its message id, which is unique per source only.
  UNIQUE (source, event_id));
CREATE INDEX events_message ON status_api.events (source, message_id, occurred_at);

CREATE TABLE status_api.sequences (
  source text PRIMARY KEY,
  last_seq bigint NOT NULL DEFAULT 0);

CREATE TABLE status_api.clients (
  source text PRIMARY KEY,
  key_sha256 text NOT NULL CHECK (key_sha256 ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL DEFAULT now());
