-- The portal's sessions, on the server (services/portal/session_store.py): the cookie carries a random id only.
-- id_sha256: the id's SHA-256, never the id itself. user_name: whose session it is (also half way through the
--   second factor), so `accordeer sessions end USER` and a second-factor reset end them all. data: the session
--   as starsessions serialises it (JSON). ended_at: set at logout or `accordeer sessions end`; an ended row is
--   never written again, so a request still in flight at logout cannot bring the session back. A session ends
--   after 30 minutes without a request or 8 hours after it began too; such rows are deleted at each logout.
-- The portal's role reads and writes it (0018's default privileges); the reader does not see it.
-- depends: 0018_roles
CREATE TABLE portal.sessions (
  id_sha256 text PRIMARY KEY CHECK (id_sha256 ~ '^[0-9a-f]{64}$'),
  user_name text,
  data bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz);
CREATE INDEX sessions_user_name ON portal.sessions (user_name);
CREATE INDEX sessions_last_seen ON portal.sessions (last_seen);
