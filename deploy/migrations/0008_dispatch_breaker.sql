-- Where each dispatch process's circuit breaker in front of the gateway stands, for operators: written on
-- every change of state and renewed as a heartbeat (seen_at), so a row no longer renewed is a process gone.
-- depends: 0007_portal
CREATE TABLE dispatch.breaker_states (
  process text PRIMARY KEY,
  state text NOT NULL CHECK (state IN ('closed', 'half-open', 'open')),
  since timestamptz NOT NULL, reason text,
  seen_at timestamptz NOT NULL DEFAULT now());
