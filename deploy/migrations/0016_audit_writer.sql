-- Who proved to have written an action: the writer whose own topic it came on (workflow.actions.from.<writer>),
-- which only that writer's principal may write on a secure broker. Beside the actor it claims to act for.
-- depends: 0015_kafka_cluster
ALTER TABLE workflow.audit ADD COLUMN writer text;
