-- Dispatch: a delivery that failed on the way stops at 70 ('failed') until an operator sends it again, as a
-- new attempt with an aanleverkenmerk of its own (the one before in previous_aanleverkenmerk); each resend is
-- audited in dispatch.resends. Sent deliveries are polled by next_poll_at (backing off per delivery: polls),
-- so the poll claim reads no document; unknown_polls counts answers that the gateway does not know the kenmerk.
-- depends: 0008_dispatch_breaker
ALTER TABLE dispatch.deliveries DROP CONSTRAINT deliveries_state_check;
ALTER TABLE dispatch.deliveries ADD CONSTRAINT deliveries_state_check
  CHECK (state IN ('to_send', 'sent', 'final', 'failed'));
ALTER TABLE dispatch.deliveries
  ADD COLUMN attempt int NOT NULL DEFAULT 1,
  ADD COLUMN previous_aanleverkenmerk text CHECK (length(previous_aanleverkenmerk) <= 40),
  ADD COLUMN gateway_code text,
  ADD COLUMN sent_at timestamptz,
  ADD COLUMN next_poll_at timestamptz,
  ADD COLUMN polls int NOT NULL DEFAULT 0,
  ADD COLUMN unknown_polls int NOT NULL DEFAULT 0;
UPDATE dispatch.deliveries SET next_poll_at = next_attempt_at, sent_at = updated_at WHERE state = 'sent';
DROP INDEX dispatch.deliveries_due;
CREATE INDEX deliveries_due ON dispatch.deliveries (next_attempt_at) WHERE state = 'to_send';
CREATE INDEX deliveries_poll_due ON dispatch.deliveries (next_poll_at) WHERE state = 'sent';

CREATE TABLE dispatch.resends (
  dossier_item_id uuid NOT NULL REFERENCES dispatch.deliveries (dossier_item_id),
  attempt int NOT NULL, aanleverkenmerk text NOT NULL, previous_aanleverkenmerk text NOT NULL,
  failure text, requested_by text NOT NULL, requested_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  PRIMARY KEY (dossier_item_id, attempt));
