-- Inbox positions and outbox for each service schema: the delivery guarantees.
-- inbox_positions: per consumer group and partition, the next offset not yet
--   applied; written in the same transaction as the state, so a redelivered
--   record (crash before the Kafka commit) is recognised and skipped.
-- outbox: records to publish, written in the same transaction as the state
--   they describe; the relay publishes them in id order and deletes them.
CREATE SCHEMA IF NOT EXISTS intake;
CREATE SCHEMA IF NOT EXISTS workflow;
CREATE SCHEMA IF NOT EXISTS dispatch;

CREATE FUNCTION public.notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(TG_TABLE_SCHEMA || '_outbox', '');
  RETURN NULL;
END $$;

CREATE TABLE intake.inbox_positions (
  consumer text NOT NULL, topic text NOT NULL, partition int NOT NULL, next_offset bigint NOT NULL,
  PRIMARY KEY (consumer, topic, partition));
CREATE TABLE workflow.inbox_positions (LIKE intake.inbox_positions INCLUDING ALL);
CREATE TABLE dispatch.inbox_positions (LIKE intake.inbox_positions INCLUDING ALL);

CREATE TABLE intake.outbox (
  id bigserial PRIMARY KEY, topic text NOT NULL, key bytea, value bytea NOT NULL,
  headers jsonb NOT NULL DEFAULT '[]', created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE workflow.outbox (LIKE intake.outbox INCLUDING ALL);
CREATE TABLE dispatch.outbox (LIKE intake.outbox INCLUDING ALL);

CREATE TRIGGER outbox_notify AFTER INSERT ON intake.outbox FOR EACH STATEMENT EXECUTE FUNCTION public.notify_outbox();
CREATE TRIGGER outbox_notify AFTER INSERT ON workflow.outbox FOR EACH STATEMENT EXECUTE FUNCTION public.notify_outbox();
CREATE TRIGGER outbox_notify AFTER INSERT ON dispatch.outbox FOR EACH STATEMENT EXECUTE FUNCTION public.notify_outbox();
