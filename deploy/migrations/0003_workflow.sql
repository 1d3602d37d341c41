-- Workflow: published definitions and routes (versioned), one instance per
-- dossier item, the actions already applied (idempotency) and the audit trail.
-- depends: 0001_plumbing
CREATE TABLE workflow.publications (
  id bigserial PRIMARY KEY, published_at timestamptz NOT NULL DEFAULT now(),
  published_by text NOT NULL, definitions jsonb NOT NULL, routes jsonb NOT NULL, directory jsonb NOT NULL);

CREATE TABLE workflow.instances (
  dossier_item_id uuid PRIMARY KEY,
  message_id text NOT NULL, source text NOT NULL, message_type text NOT NULL,
  characteristics jsonb NOT NULL DEFAULT '{}', item jsonb NOT NULL,
  status_code int NOT NULL, detail text NOT NULL DEFAULT '',
  publication_id bigint REFERENCES workflow.publications (id),
  workflow_name text, state jsonb,
  task_started_at timestamptz, revision int NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX instances_unrouted ON workflow.instances (message_type) WHERE publication_id IS NULL;

CREATE TABLE workflow.applied_actions (
  action_id text PRIMARY KEY, dossier_item_id uuid NOT NULL, outcome text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now());

CREATE TABLE workflow.audit (
  id bigserial PRIMARY KEY, dossier_item_id uuid NOT NULL, at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL, action text NOT NULL, action_id text,
  from_task text, to_task text, from_status int, to_status int NOT NULL,
  comment text NOT NULL DEFAULT '', workflow_name text, publication_id bigint);
CREATE INDEX audit_item ON workflow.audit (dossier_item_id, id);
