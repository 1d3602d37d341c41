-- Action ids are forgotten after ACCORDEER_ACTION_KEY_RETENTION_DAYS (shared/db/retention.py): an index on when
-- each was written keeps the hourly purge from reading the whole table.
-- depends: 0027_versions_announced
CREATE INDEX applied_actions_applied_at ON workflow.applied_actions (applied_at);
CREATE INDEX sent_actions_sent_at ON portal.sent_actions (sent_at);
