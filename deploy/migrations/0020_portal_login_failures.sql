-- Failed portal logins (services/portal/login_throttle.py), shared by every portal process and kept across
-- restarts: at most 5 per user name and 20 per address in 15 minutes, for each step apart (kind: the password,
-- or the second factor's code). A right password forgives the user's rows
-- (they no longer count for the name, still for the address); rows older than the window are deleted at each new
-- failure. Never a password, right or wrong.
-- depends: 0019_portal_sessions
CREATE TABLE portal.login_failures (
  kind text NOT NULL CHECK (kind IN ('password', 'code')),
  user_name text NOT NULL,
  address text NOT NULL,
  forgiven boolean NOT NULL DEFAULT false,
  at timestamptz NOT NULL DEFAULT now());
CREATE INDEX login_failures_user ON portal.login_failures (kind, user_name, at);
CREATE INDEX login_failures_address ON portal.login_failures (kind, address, at);
CREATE INDEX login_failures_at ON portal.login_failures (at);
