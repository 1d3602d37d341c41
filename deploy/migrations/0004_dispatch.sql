-- Dispatch: one delivery per approved dossier item (the aanleverkenmerk is its
-- idempotency key at the gateway) and the gateway statuses already reported.
-- depends: 0001_plumbing
CREATE TABLE dispatch.deliveries (
  dossier_item_id uuid PRIMARY KEY, message_id text NOT NULL, source text NOT NULL,
  aanleverkenmerk text NOT NULL UNIQUE CHECK (length(aanleverkenmerk) <= 40),
  request jsonb NOT NULL,
  state text NOT NULL CHECK (state IN ('to_send', 'sent', 'final')),
  attempts int NOT NULL DEFAULT 0, next_attempt_at timestamptz NOT NULL DEFAULT now(),
  kenmerk text, status_code int NOT NULL, last_error text,
  created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX deliveries_due ON dispatch.deliveries (next_attempt_at) WHERE state <> 'final';

CREATE TABLE dispatch.gateway_statuses (
  kenmerk text NOT NULL, statuscode text NOT NULL, tijdstempel text NOT NULL,
  PRIMARY KEY (kenmerk, statuscode, tijdstempel));
