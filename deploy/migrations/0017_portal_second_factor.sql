-- The portal's second factor (TOTP, RFC 6238): required for staff, optional for clients.
-- second_factors: one row per user who has one. sealed_secret is the TOTP secret sealed with
--   ACCORDEER_PORTAL_SECOND_FACTOR_KEY (Fernet), so the database alone never shows it. last_step is the time step
--   (30 s) of the last code accepted: a code of that step or an earlier one is refused, so a code works once. An
--   enrolment in progress is not here: its secret stays sealed in the user's own session until a code confirms it.
-- recovery_codes: the user's unspent recovery codes, as SHA-256 only (each code is 80 random bits); spending one
--   deletes it.
-- `accordeer second-factor reset USER` deletes the user's row (and so their codes): they set it up again at their
-- next login.
-- depends: 0016_audit_writer
CREATE TABLE portal.second_factors (
  user_name text PRIMARY KEY,
  sealed_secret text NOT NULL,
  last_step bigint NOT NULL,
  enrolled_at timestamptz NOT NULL DEFAULT now());

CREATE TABLE portal.recovery_codes (
  user_name text NOT NULL REFERENCES portal.second_factors ON DELETE CASCADE,
  code_sha256 text NOT NULL CHECK (code_sha256 ~ '^[0-9a-f]{64}$'),
  PRIMARY KEY (user_name, code_sha256));
