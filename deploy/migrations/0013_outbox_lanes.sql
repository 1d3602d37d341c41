-- The outbox split into lanes (shared/db/outbox.py LANES, by lane key: a declaration's message id), each relayed
-- by whichever process holds its row in relay_leases, so several processes of a service publish at once. Rows
-- waiting at the upgrade stay in lane 0, relayed in order with the rows after them only if lane 0's relay also
-- holds their key's lane: stop the services' relays with an empty outbox to keep per-key order across it.
-- depends: 0012_task_due
ALTER TABLE intake.outbox ADD COLUMN lane smallint NOT NULL DEFAULT 0;
ALTER TABLE workflow.outbox ADD COLUMN lane smallint NOT NULL DEFAULT 0;
ALTER TABLE dispatch.outbox ADD COLUMN lane smallint NOT NULL DEFAULT 0;
ALTER TABLE notifier.outbox ADD COLUMN lane smallint NOT NULL DEFAULT 0;
ALTER TABLE portal.outbox ADD COLUMN lane smallint NOT NULL DEFAULT 0;
