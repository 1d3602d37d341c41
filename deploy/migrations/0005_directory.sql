-- Each service's copy of the directory (directory.parties, compacted): one row
-- per party, a removal kept as removed so an older record read late cannot
-- bring it back, and how far the copy has read each partition.
-- depends: 0004_dispatch
CREATE TABLE intake.parties (
  organisation_person_id text PRIMARY KEY, party jsonb, removed boolean NOT NULL,
  partition int NOT NULL, source_offset bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE workflow.parties (LIKE intake.parties INCLUDING ALL);

CREATE TABLE intake.directory_positions (
  topic text NOT NULL, partition int NOT NULL, next_offset bigint NOT NULL, PRIMARY KEY (topic, partition));
CREATE TABLE workflow.directory_positions (LIKE intake.directory_positions INCLUDING ALL);

-- What the client approves: the summary extracted from the declaration's document.
ALTER TABLE intake.dossier_items ADD COLUMN summary jsonb;
