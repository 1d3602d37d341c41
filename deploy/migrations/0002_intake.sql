-- Intake: declarations seen (idempotency by source and message_id), the dossier
-- items they became, the built-in dossier item type, and who may submit what.
-- depends: 0001_plumbing
CREATE TABLE intake.declarations (
  source text NOT NULL, message_id text NOT NULL, fingerprint text NOT NULL,
  received_at timestamptz NOT NULL, item_count int NOT NULL,
  PRIMARY KEY (source, message_id));

CREATE TABLE intake.dossier_items (
  id uuid PRIMARY KEY,
  source text NOT NULL, message_id text NOT NULL, destination_index int NOT NULL,
  item_type text NOT NULL, message_type text NOT NULL,
  submitter text NOT NULL, submitted_at timestamptz NOT NULL, subject text NOT NULL,
  organisation_person_id text NOT NULL, contact_id text,
  identity jsonb NOT NULL, document jsonb NOT NULL, attachment jsonb,
  characteristics jsonb NOT NULL DEFAULT '{}', free_fields jsonb NOT NULL DEFAULT '{}',
  confidential boolean NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source, message_id, destination_index));

CREATE TABLE intake.item_types (
  name text PRIMARY KEY, confidential boolean NOT NULL DEFAULT false,
  allows_file_link boolean NOT NULL DEFAULT true, updated_at timestamptz NOT NULL DEFAULT now());
INSERT INTO intake.item_types (name) VALUES ('Accorderingsbericht');

CREATE TABLE intake.authorisations (
  id int PRIMARY KEY DEFAULT 1 CHECK (id = 1), document jsonb NOT NULL,
  loaded_at timestamptz NOT NULL DEFAULT now());
