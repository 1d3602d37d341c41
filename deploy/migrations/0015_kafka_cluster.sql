-- Inbox positions belong to one Kafka cluster: the id of the cluster a service's positions (its inbox and, where
-- it keeps one, its directory copy's) were taken from. A service that finds another cluster at start (a
-- database restored against a new cluster, or Kafka rebuilt under it) stops and says so instead of skipping or
-- re-applying records by offsets that mean nothing there; `accordeer positions forget SERVICE` is the way on.
-- depends: 0014_status_api
CREATE TABLE intake.kafka_cluster (
  id int PRIMARY KEY DEFAULT 1 CHECK (id = 1), cluster_id text NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE workflow.kafka_cluster (LIKE intake.kafka_cluster INCLUDING ALL);
CREATE TABLE dispatch.kafka_cluster (LIKE intake.kafka_cluster INCLUDING ALL);
CREATE TABLE notifier.kafka_cluster (LIKE intake.kafka_cluster INCLUDING ALL);
CREATE TABLE portal.kafka_cluster (LIKE intake.kafka_cluster INCLUDING ALL);
CREATE TABLE status_api.kafka_cluster (LIKE intake.kafka_cluster INCLUDING ALL);
