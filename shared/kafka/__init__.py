"""Kafka plumbing: the idempotent producer, the outbox relay, topic creation and batch subscribers."""
