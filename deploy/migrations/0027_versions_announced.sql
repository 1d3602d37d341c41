-- Whether a publication was announced on workflow.setup.outcomes (every one from now on is, in the transaction
-- that stores it). The rows already there count as not announced (which of them were cannot be told):
-- `accordeer setup` announces the newest once more, so the portal's set-up pages and intake know the version in
-- use after an upgrade (an announcement twice is harmless: both keep a version once and apply the same setting).
-- depends: 0026_setup_commands
ALTER TABLE workflow.publications ADD COLUMN announced boolean NOT NULL DEFAULT false;
