-- The portal's read model, built from workflow.tasks, messages.status and
-- dossier.items (and its own copy of the directory): what people see. The
-- portal writes only here; it acts by publishing to workflow.actions.
-- depends: 0006_notifier
CREATE SCHEMA IF NOT EXISTS portal;
CREATE TABLE portal.inbox_positions (LIKE intake.inbox_positions INCLUDING ALL);
CREATE TABLE portal.outbox (LIKE intake.outbox INCLUDING ALL);
CREATE TRIGGER outbox_notify AFTER INSERT ON portal.outbox FOR EACH STATEMENT EXECUTE FUNCTION public.notify_outbox();
CREATE TABLE portal.parties (LIKE intake.parties INCLUDING ALL);
CREATE TABLE portal.directory_positions (LIKE intake.directory_positions INCLUDING ALL);

-- One row per dossier item: what it is and where it stands.
CREATE TABLE portal.items (
  dossier_item_id uuid PRIMARY KEY,
  message_id text NOT NULL, source text NOT NULL, message_type text,
  organisation_person_id text, contact_id text, subject text, confidential boolean NOT NULL DEFAULT false,
  summary jsonb, document jsonb, attachment jsonb,
  status_code int, status_detail text NOT NULL DEFAULT '', status_at timestamptz,
  -- from its task events: its workflow, that workflow's task manager, and the task last completed (where a
  -- rejected item is restored to)
  workflow text, task_manager text, last_task text,
  updated_at timestamptz NOT NULL DEFAULT now());

-- The current task of an item (none once the workflow has ended).
CREATE TABLE portal.tasks (
  dossier_item_id uuid PRIMARY KEY, workflow text NOT NULL, task text NOT NULL,
  assignees text[] NOT NULL, actions text[] NOT NULL, assignment_note text NOT NULL DEFAULT '',
  task_manager text, due_at timestamptz, since timestamptz NOT NULL);
CREATE INDEX tasks_task_manager ON portal.tasks (task_manager);
CREATE INDEX tasks_assignees ON portal.tasks USING gin (assignees);

-- Everything that happened to an item, in order: statuses and task changes.
CREATE TABLE portal.history (
  event_id text PRIMARY KEY, dossier_item_id uuid NOT NULL, at timestamptz NOT NULL,
  kind text NOT NULL, status_code int, authority_status_code text, task text, actor text, action text,
  text text NOT NULL DEFAULT '', comment text NOT NULL DEFAULT '');
CREATE INDEX history_item ON portal.history (dossier_item_id, at);
