-- The notifier: e-mail to a task's assignees, from workflow.tasks.
-- inbox_positions / outbox: the plumbing every service schema has (0001).
-- parties / directory_positions: the notifier's own copy of the directory (0005).
-- mails: one row per task event and recipient, written in the consuming
--   transaction (so exactly once per event and recipient); the sender loop
--   claims pending rows, sends them and marks them sent. message_id is derived
--   from event and recipient, so a repeat after a crash is recognisable.
-- depends: 0005_directory
CREATE SCHEMA IF NOT EXISTS notifier;

CREATE TABLE notifier.inbox_positions (LIKE intake.inbox_positions INCLUDING ALL);
CREATE TABLE notifier.outbox (LIKE intake.outbox INCLUDING ALL);
CREATE TRIGGER outbox_notify AFTER INSERT ON notifier.outbox FOR EACH STATEMENT EXECUTE FUNCTION public.notify_outbox();

CREATE TABLE notifier.parties (LIKE intake.parties INCLUDING ALL);
CREATE TABLE notifier.directory_positions (LIKE intake.directory_positions INCLUDING ALL);

CREATE TABLE notifier.mails (
  id bigserial PRIMARY KEY,
  event_id text NOT NULL,
  recipient text NOT NULL,
  dossier_item_id text NOT NULL,
  recipient_name text NOT NULL,
  address text NOT NULL,
  subject text NOT NULL,
  body text NOT NULL,
  message_id text NOT NULL UNIQUE,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
  attempts int NOT NULL DEFAULT 0,
  -- When the sender may take it: now for a new mail, later after a failure, the end of a claim's lease.
  due_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  UNIQUE (event_id, recipient));
CREATE INDEX mails_pending ON notifier.mails (due_at) WHERE state = 'pending';
