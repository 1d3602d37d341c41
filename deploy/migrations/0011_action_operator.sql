-- The operator who acted on behalf of the audited actor (`accordeer act --as ACTOR`); empty for a person's own
-- action (the portal) and for the system's.
-- depends: 0010_relay_leases
ALTER TABLE workflow.audit ADD COLUMN operator text;
