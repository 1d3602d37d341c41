-- Set-up on one path: the portal and the CLI send a set-up command (workflow.setup.from.<writer>), workflow
-- judges and applies it in one transaction and keeps its outcome here by the command's id (the same command
-- twice is answered once; the CLI waits for this row). A publication names whose topic it came on. The portal
-- keeps every version published and each of its commands' outcomes, read from workflow.setup.outcomes.
-- depends: 0025_resend_wakes_dispatch
CREATE TABLE workflow.setup_outcomes (
  command_id text PRIMARY KEY,
  writer text NOT NULL,
  actor text NOT NULL,
  decided_at timestamptz NOT NULL,
  version bigint REFERENCES workflow.publications (id),
  superseded_by bigint,
  problems jsonb NOT NULL DEFAULT '[]',
  routed int NOT NULL DEFAULT 0);
-- A publication also holds the item type's own files (reaction templates, settings) as published: file → text
-- (none for one made before they were published).
ALTER TABLE workflow.publications ADD COLUMN writer text, ADD COLUMN item_type_files jsonb;

CREATE TABLE portal.setup_versions (
  version bigint PRIMARY KEY,
  published_by text NOT NULL,
  writer text,
  published_at timestamptz NOT NULL,
  routed int NOT NULL DEFAULT 0,
  files jsonb NOT NULL);
CREATE TABLE portal.setup_outcomes (
  command_id text PRIMARY KEY,
  decided_at timestamptz NOT NULL,
  version bigint,
  superseded_by bigint,
  problems jsonb NOT NULL DEFAULT '[]');
-- What the operator reads at the CLI (`workflows publish` waits for its outcome; `versions`, `diff`, `export`).
GRANT SELECT ON workflow.setup_outcomes, workflow.publications TO accordeer_reader;
